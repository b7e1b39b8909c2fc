"""An article's status: a draft is seen by the vendor only; published, by the partners of its
audience; archived, by nobody outside the vendor (kept for its history). Moves follow
ARTICLE_TRANSITIONS and leave a history row (prm.core.workflow)."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from prm.core.workflow import transition

from .access import require_editor
from .models import ARTICLE_TRANSITIONS, Article, ArticleStatus, ArticleStatusChange


def _move(article: Article, to: str, *, actor: Any, reason: str = "") -> Article:
    require_editor(actor)
    moved = transition(
        article,
        to,
        table=ARTICLE_TRANSITIONS,
        history_model=ArticleStatusChange,
        history_fk="article",
        actor=actor,
        reason=reason,
    )
    assert isinstance(moved, Article)
    return moved


@transaction.atomic
def article_publish(article: Article, *, actor: Any, reason: str = "") -> Article:
    """Partners of the audience see it from now on. The first publication date is kept when an
    article is published again (lists are ordered by it)."""
    moved = _move(article, ArticleStatus.PUBLISHED, actor=actor, reason=reason)
    if moved.published_at is None:
        # `moved` was read under the transition's row lock, so this is the first publication;
        # saved through the model so the audit trail shows the date.
        moved.published_at = article.published_at = timezone.now()
        moved.save(update_fields=["published_at"])
    return moved


@transaction.atomic
def article_unpublish(article: Article, *, actor: Any, reason: str = "") -> Article:
    """Back to a draft: partners no longer see it while it is reworked."""
    return _move(article, ArticleStatus.DRAFT, actor=actor, reason=reason)


@transaction.atomic
def article_archive(article: Article, *, actor: Any, reason: str = "") -> Article:
    return _move(article, ArticleStatus.ARCHIVED, actor=actor, reason=reason)
