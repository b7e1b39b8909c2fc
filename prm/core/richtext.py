"""Rich text people paste in (lesson bodies, articles): kept as HTML, reduced to an allowlist.

nh3 (the Rust `ammonia` sanitiser) removes scripts, event handlers and unknown tags; links get
rel="noopener noreferrer" so a pasted link cannot reach back into the portal.
"""

from __future__ import annotations

import nh3

TAGS = {
    "p",
    "br",
    "strong",
    "b",
    "em",
    "i",
    "u",
    "s",
    "ul",
    "ol",
    "li",
    "blockquote",
    "code",
    "pre",
    "h2",
    "h3",
    "h4",
    "a",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "hr",
    "span",
    "img",
}
ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "width", "height"},
    "th": {"colspan"},
    "td": {"colspan"},
}


def clean_html(text: str) -> str:
    return nh3.clean(
        text,
        tags=TAGS,
        attributes=ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer",
    )
