"""Writing articles: every save is a new version (who, when, what changed, the text to restore)
and refreshes the search index. Bodies are stored as sanitised HTML (knowledge.text)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, QuerySet
from django.utils.translation import gettext as _

from partners.models import Region, Tier
from prm.accounts.access import active_user
from prm.core.workflow import transition_start

from .access import require_editor
from .models import Article, ArticleStatusChange, ArticleVersion, Category, Tag
from .search import document_vector
from .text import plain_text, rich_text

TAG_SPLIT = re.compile(r"[,，、;；\n]+")
MAX_TAGS = 10
NOTE_MAX = ArticleVersion._meta.get_field("note").max_length or 200
TAG_MAX = Tag._meta.get_field("name").max_length or 40


def article_index(article: Article) -> None:
    tags = " ".join(article.tags.values_list("name", flat=True))
    Article.objects.filter(pk=article.pk).update(
        search_vector=document_vector(
            heading=f"{article.title} {article.title_en} {tags}",
            body="\n".join(
                [article.summary, plain_text(article.body), plain_text(article.body_en)]
            ),
        )
    )


def articles_reindex(articles: QuerySet[Article]) -> int:
    """Rebuild the search vector of each of `articles` (their tags are part of it); how many."""
    done = 0
    for article in articles.order_by("pk").iterator():
        article_index(article)
        done += 1
    return done


@transaction.atomic
def tag_save(tag: Tag) -> Tag:
    """Save a tag (renamed in the admin): its articles are found by the new name, not the old."""
    tag.full_clean()
    tag.save()
    articles_reindex(Article.objects.filter(tags=tag))
    return tag


@transaction.atomic
def tags_delete(tags: QuerySet[Tag]) -> None:
    """Delete tags: their articles are no longer found by them."""
    articles = list(Article.objects.filter(tags__in=tags).values_list("pk", flat=True).distinct())
    tags.delete()
    articles_reindex(Article.objects.filter(pk__in=articles))


def tag_names(text: str) -> list[str]:
    """Tags as typed in a form, split at commas (either width), 、 or semicolons: the distinct
    names, in the order typed."""
    return list(dict.fromkeys(n.strip() for n in TAG_SPLIT.split(text or "") if n.strip()))


def _tags(names: Iterable[str]) -> list[Tag]:
    clean = list(dict.fromkeys(n.strip() for n in names if n.strip()))
    if len(clean) > MAX_TAGS:
        raise ValidationError({"tags": _("At most %(n)d tags.") % {"n": MAX_TAGS}})
    if too_long := [n for n in clean if len(n) > TAG_MAX]:
        raise ValidationError(
            {
                "tags": _("A tag is at most %(n)d characters: %(tag)s")
                % {"n": TAG_MAX, "tag": too_long[0]}
            }
        )
    return [Tag.objects.get_or_create(name=n)[0] for n in sorted(clean)]


def _note(note: str) -> str:
    note = " ".join((note or "").split())
    if not note:
        raise ValidationError({"note": _("Say what changed.")})
    if len(note) > NOTE_MAX:
        raise ValidationError({"note": _("At most %(n)d characters.") % {"n": NOTE_MAX}})
    return note


def _snapshot(article: Article, *, note: str, actor: Any) -> ArticleVersion:
    return ArticleVersion.objects.create(
        article=article,
        number=article.version,
        title=article.title,
        title_en=article.title_en,
        body=article.body,
        body_en=article.body_en,
        note=note,
        edited_by=actor if getattr(actor, "is_authenticated", False) else None,
    )


def _set_audience(
    article: Article,
    *,
    tiers: Iterable[Tier] | None,
    regions: Iterable[Region] | None,
) -> None:
    if tiers is not None:
        article.tiers.set(list(tiers))
    if regions is not None:
        article.regions.set(list(regions))


@transaction.atomic
def article_create(
    *,
    category: Category,
    kind: str,
    title: str,
    body: str,
    actor: Any,
    title_en: str = "",
    body_en: str = "",
    summary: str = "",
    tags: Iterable[str] = (),
    note: str = "",
    tiers: Iterable[Tier] = (),
    partner_types: Iterable[str] = (),
    regions: Iterable[Region] = (),
) -> Article:
    """A draft article, version 1. Raises ValidationError (nothing saved) on bad fields.

    Any vendor user may start a draft (support turns a solved ticket into one); editing and
    publishing are for the editor roles (knowledge.access). The audience is everyone unless
    tiers, partner types or regions are given."""
    if getattr(actor, "is_authenticated", False) and not (
        active_user(actor) and actor.is_vendor_staff
    ):
        raise PermissionDenied
    article = Article(
        category=category,
        kind=kind,
        title=(title or "").strip(),
        title_en=(title_en or "").strip(),
        body=rich_text(body),
        body_en=rich_text(body_en),
        summary=(summary or "").strip(),
        partner_types=list(dict.fromkeys(partner_types)),
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    article.full_clean()
    found_tags = _tags(tags)
    article.save()
    article.tags.set(found_tags)
    _set_audience(article, tiers=tiers, regions=regions)
    _snapshot(article, note=" ".join((note or "").split())[:NOTE_MAX], actor=actor)
    transition_start(article, history_model=ArticleStatusChange, history_fk="article", actor=actor)
    article_index(article)
    return article


@transaction.atomic
def article_update(
    article: Article,
    *,
    actor: Any,
    note: str,
    category: Category | None = None,
    kind: str | None = None,
    title: str | None = None,
    title_en: str | None = None,
    body: str | None = None,
    body_en: str | None = None,
    summary: str | None = None,
    tags: Iterable[str] | None = None,
    tiers: Iterable[Tier] | None = None,
    partner_types: Iterable[str] | None = None,
    regions: Iterable[Region] | None = None,
    expected_version: int | None = None,
) -> Article:
    """Save an edit as the next version; arguments left as None keep what the article has.
    A published article stays published: partners see the new version at once.

    `expected_version` is the version the editor started from (the edit form sends it): if
    someone saved since, the edit is refused rather than silently writing over theirs."""
    require_editor(actor)
    note = _note(note)
    locked = Article.objects.select_for_update().get(pk=article.pk)
    # Checked under the row lock: of two editors who opened version n, the second to save waits
    # here for the first and then sees version n+1.
    if expected_version is not None and locked.version != expected_version:
        raise ValidationError(
            _(
                "This article was edited by someone else since you opened it (it is now "
                "version %(n)d). Reload the page to see their changes, then make yours again."
            )
            % {"n": locked.version},
            code="stale",
        )
    changes: dict[str, Any] = {
        "category": category,
        "kind": kind,
        "title": None if title is None else title.strip(),
        "title_en": None if title_en is None else title_en.strip(),
        "body": None if body is None else rich_text(body),
        "body_en": None if body_en is None else rich_text(body_en),
        "summary": None if summary is None else summary.strip(),
        "partner_types": None if partner_types is None else list(dict.fromkeys(partner_types)),
    }
    for name, value in changes.items():
        if value is not None:
            setattr(locked, name, value)
    locked.full_clean()
    found_tags = None if tags is None else _tags(tags)
    # Only what an edit may change: the counters move under their own conditional updates.
    locked.save(update_fields=[*changes, "updated_at"])
    Article.objects.filter(pk=locked.pk).update(version=F("version") + 1)
    locked.refresh_from_db(fields=["version"])
    if found_tags is not None:
        locked.tags.set(found_tags)
    _set_audience(locked, tiers=tiers, regions=regions)
    _snapshot(locked, note=note, actor=actor)
    article_index(locked)
    return locked


def article_version_restore(article: Article, *, number: int, actor: Any) -> Article:
    """Bring back the title and body of version `number`, as a new version (history is never
    rewritten)."""
    version = ArticleVersion.objects.filter(article=article, number=number).first()
    if version is None:
        raise ValidationError(_("There is no version %(n)d of this article.") % {"n": number})
    if version.number == Article.objects.values_list("version", flat=True).get(pk=article.pk):
        raise ValidationError(_("Version %(n)d is the current text.") % {"n": number})
    return article_update(
        article,
        actor=actor,
        note=_("Restored version %(n)d") % {"n": number},
        title=version.title,
        title_en=version.title_en,
        body=version.body,
        body_en=version.body_en,
    )
