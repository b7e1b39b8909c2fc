"""An article's versions side by side: what each save changed against the one before it, as
paragraphs removed and added (with a paragraph of context), for the vendor's history page."""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field

from .models import Article, ArticleVersion
from .text import plain_text

CONTEXT = 1


@dataclass(frozen=True)
class DiffLine:
    op: str  # "add", "del", "same", or "gap" for skipped unchanged paragraphs
    text: str


@dataclass
class VersionChange:
    version: ArticleVersion
    is_current: bool
    title: tuple[str, str] | None = None
    title_en: tuple[str, str] | None = None
    body: list[DiffLine] = field(default_factory=list)
    body_en: list[DiffLine] = field(default_factory=list)

    @property
    def unchanged(self) -> bool:
        return not (self.title or self.title_en or self.body or self.body_en)


def text_diff(old: str, new: str) -> list[DiffLine]:
    lines = []
    for raw in difflib.unified_diff(
        plain_text(old).splitlines(), plain_text(new).splitlines(), n=CONTEXT, lineterm=""
    ):
        if raw.startswith(("---", "+++")):
            continue
        if raw.startswith("@@"):
            lines.append(DiffLine("gap", ""))
        else:
            lines.append(DiffLine({"+": "add", "-": "del"}.get(raw[:1], "same"), raw[1:]))
    # The first hunk's marker says nothing: there is nothing above it.
    return lines[1:] if lines and lines[0].op == "gap" else lines


def _changed(old: str, new: str) -> tuple[str, str] | None:
    return (old, new) if old != new else None


def version_changes(article: Article) -> list[VersionChange]:
    """Newest first; version 1 is compared with an empty article."""
    versions = list(
        ArticleVersion.objects.filter(article=article)
        .select_related("edited_by")
        .order_by("number")
    )
    changes = []
    before = ArticleVersion(title="", title_en="", body="", body_en="")
    for version in versions:
        changes.append(
            VersionChange(
                version=version,
                is_current=version.number == article.version,
                title=_changed(before.title, version.title),
                title_en=_changed(before.title_en, version.title_en),
                body=text_diff(before.body, version.body),
                body_en=text_diff(before.body_en, version.body_en),
            )
        )
        before = version
    return changes[::-1]
