"""Bodies of articles and announcements: stored as sanitised HTML, indexed and compared as text.

Editors paste from Word or a web page, so bodies are HTML reduced to an allowlist
(prm.core.richtext, nh3). Text without any HTML tag (typed plainly, or a support ticket turned
into an article) is escaped and keeps its paragraphs and line breaks. What is shown is cleaned
again on the way out, so a row written by any other path still cannot carry a script.
"""

from __future__ import annotations

import html
import re

from django.utils.html import linebreaks, strip_tags
from django.utils.safestring import SafeString, mark_safe

from prm.core.richtext import TAGS, clean_html

# Text is taken as HTML only when it has a tag the allowlist keeps (or an obvious document
# tag a paste carries): "请发邮件至 <support@vendor.com>" or "按 <Enter> 键" is plain text, and
# its angle brackets are shown, not cleaned away as unknown tags.
HTML_TAGS = frozenset(TAGS) | {"div", "h1", "h5", "h6", "html", "body"}
TAG = re.compile(
    r"</?(" + "|".join(sorted(HTML_TAGS, key=len, reverse=True)) + r")(\s[^>]*)?/?>", re.I
)
BLOCK_END = re.compile(r"<br\s*/?>|</(p|li|h[1-6]|tr|blockquote|pre|div|table|ul|ol)>", re.I)
SPACES = re.compile(r"[ \t\u3000\xa0]+")


def rich_text(text: str) -> str:
    """What a body is stored as."""
    text = (text or "").strip()
    if not text:
        return ""
    if TAG.search(text):
        return clean_html(text).strip()
    return linebreaks(text, autoescape=True)


def safe_html(text: str) -> SafeString:
    # Cleaned by clean_html just above: only allowlisted tags and attributes remain.
    return mark_safe(clean_html(text or ""))  # noqa: S308


def plain_text(text: str) -> str:
    """The words of a body, one line per paragraph (for search and for comparing versions)."""
    lines = html.unescape(strip_tags(BLOCK_END.sub("\n", text or ""))).splitlines()
    return "\n".join(kept for line in lines if (kept := SPACES.sub(" ", line).strip()))
