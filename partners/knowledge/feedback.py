""" "Was this helpful?": one answer per person and article, which they may change.

The article's two counters stay exact under concurrent answers: the answer row is inserted (the
unique constraint makes a second insert for the same person wait, then fail) or changed by a
conditional UPDATE that only matches a different answer, and only a row that really was inserted
or changed moves a counter, by an F() update.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from prm.accounts.access import active_user

from .models import Article, ArticleFeedback
from .selectors import articles_visible_to

COMMENT_MAX = ArticleFeedback._meta.get_field("comment").max_length or 300


def _counter(helpful: bool) -> str:
    return "helpful_count" if helpful else "unhelpful_count"


@transaction.atomic
def article_feedback(
    article: Article, *, user: Any, helpful: bool, comment: str = ""
) -> ArticleFeedback:
    """Record `user`'s answer and comment. Answering the same again keeps the counts (the
    comment sent replaces the old one, an empty one included); the other answer moves one
    count to the other."""
    if not (active_user(user) and user.is_partner_user):
        raise PermissionDenied
    if not articles_visible_to(user).filter(pk=article.pk).exists():
        raise PermissionDenied
    comment = " ".join((comment or "").split())[:COMMENT_MAX]
    now = timezone.now()
    try:
        with transaction.atomic():
            ArticleFeedback.objects.create(
                article=article, user=user, helpful=helpful, comment=comment
            )
    except IntegrityError:
        mine = ArticleFeedback.objects.filter(article=article, user=user)
        changed = mine.exclude(helpful=helpful).update(
            helpful=helpful, comment=comment, created_at=now
        )
        if changed:
            Article.objects.filter(pk=article.pk).update(
                **{
                    _counter(helpful): F(_counter(helpful)) + 1,
                    _counter(not helpful): F(_counter(not helpful)) - 1,
                }
            )
        else:
            # The same answer: the comment is replaced as sent, so an empty one clears it (a
            # person can take back what they wrote).
            mine.exclude(comment=comment).update(comment=comment, created_at=now)
    else:
        Article.objects.filter(pk=article.pk).update(
            **{_counter(helpful): F(_counter(helpful)) + 1}
        )
    return ArticleFeedback.objects.get(article=article, user=user)
