"""Writing articles: every save is a new version and refreshes the search index."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import transaction


from .models import Article, ArticleVersion, Category, Tag
from .search import document_vector


def article_index(article: Article) -> None:
    tags = " ".join(article.tags.values_list("name", flat=True))
    Article.objects.filter(pk=article.pk).update(
        search_vector=document_vector(
            heading=f"{article.title} {article.title_en} {tags}",
            body=f"{article.summary} {article.body} {article.body_en}",
        )
    )


def _tags(names: Iterable[str]) -> list[Tag]:
    clean = sorted({n.strip() for n in names if n.strip()})
    return [Tag.objects.get_or_create(name=n)[0] for n in clean]


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
) -> Article:
    """A draft article, version 1. Raises ValidationError (nothing saved) on bad fields."""
    article = Article(
        category=category,
        kind=kind,
        title=title,
        title_en=title_en,
        body=body,
        body_en=body_en,
        summary=summary,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    article.full_clean()
    article.save()
    article.tags.set(_tags(tags))
    ArticleVersion.objects.create(
        article=article,
        number=1,
        title=title,
        title_en=title_en,
        body=body,
        body_en=body_en,
        note=note,
        edited_by=article.created_by,
    )
    article_index(article)
    return article
