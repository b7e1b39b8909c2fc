"""What each reader may see of the knowledge base, search, and the list filters.

Vendor staff see every article in every status. A partner's users see published articles whose
audience (partners.audience) includes their company; anything else is "not found" to them.
"""

from __future__ import annotations

from typing import Any

import django_filters
from django.contrib.postgres.search import SearchQuery, SearchRank
from django.db import connection
from django.db.models import F, QuerySet
from django.utils.translation import gettext_lazy as _

from partners.audience import audience_filter
from prm.accounts.access import active_user

from .models import (
    Article,
    ArticleAttachment,
    ArticleFeedback,
    ArticleKind,
    ArticleStatus,
    Category,
    Tag,
)
from .search import text_query


def articles_visible_to(user: Any) -> QuerySet[Article]:
    articles = Article.objects.select_related("category")
    if not active_user(user):
        return articles.none()
    if user.is_vendor_staff:
        return articles
    if user.is_partner_user and user.partner is not None:
        return audience_filter(articles.filter(status=ArticleStatus.PUBLISHED), user.partner)
    return articles.none()


def article_get_visible(*, user: Any, pk: int) -> Article | None:
    return articles_visible_to(user).filter(pk=pk).first()


def attachment_get_visible(*, user: Any, pk: int) -> ArticleAttachment | None:
    return ArticleAttachment.objects.filter(pk=pk, article__in=articles_visible_to(user)).first()


def _searchable(query: SearchQuery) -> bool:
    """False when PostgreSQL reduces the query to nothing ("the", "how to": English stop
    words only), which would match no article: such a search leaves the list as it is."""
    compiler = Article.objects.none().query.get_compiler(connection=connection)
    sql, params = compiler.compile(query.resolve_expression(compiler.query))
    with connection.cursor() as cursor:
        # `sql` is Django's compiled expression; the query text is in `params`.
        cursor.execute(f"SELECT numnode({sql})", params)
        row = cursor.fetchone()
    return bool(row and row[0])


def articles_search(articles: QuerySet[Article], q: str) -> QuerySet[Article]:
    """Articles matching every word of `q` (Chinese by bigram phrase, English by stem), the
    best first: a match in the title or a tag weighs more than one in the body."""
    query = text_query(q or "")
    if query is None or not _searchable(query):
        return articles
    return (
        articles.filter(search_vector=query)
        .annotate(rank=SearchRank(F("search_vector"), query))
        .order_by("-rank", F("published_at").desc(nulls_last=True), "-pk")
    )


def my_feedback(*, user: Any, article: Article) -> ArticleFeedback | None:
    if not active_user(user):
        return None
    return ArticleFeedback.objects.filter(article=article, user=user).first()


class ArticleFilter(django_filters.FilterSet):
    """Search, category, kind and tag. Tags offered are those of articles the reader sees (pass
    `request=`), so a tag of a gold-tier-only article does not tell others it exists."""

    q = django_filters.CharFilter(method="search", label=_("Search"))
    category = django_filters.ModelChoiceFilter(
        queryset=Category.objects.all(), label=_("Category"), empty_label=_("All")
    )
    kind = django_filters.ChoiceFilter(
        choices=ArticleKind.choices, label=_("Kind"), empty_label=_("All")
    )
    tag = django_filters.ModelChoiceFilter(
        field_name="tags",
        queryset=Tag.objects.all(),
        to_field_name="name",
        label=_("Tag"),
        empty_label=_("All"),
    )

    class Meta:
        model = Article
        fields = ["q", "category", "kind", "tag"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        user = getattr(self.request, "user", None)
        self.filters["tag"].queryset = Tag.objects.filter(
            articles__in=articles_visible_to(user)
        ).distinct()

    def search(self, queryset: QuerySet[Article], name: str, value: str) -> QuerySet[Article]:
        return articles_search(queryset, value)


class VendorArticleFilter(ArticleFilter):
    status = django_filters.ChoiceFilter(
        choices=ArticleStatus.choices, label=_("Status"), empty_label=_("All")
    )

    class Meta(ArticleFilter.Meta):
        fields = [*ArticleFilter.Meta.fields, "status"]
