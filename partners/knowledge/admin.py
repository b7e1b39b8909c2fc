"""Categories and tags are set up here. Articles are looked up here (with their versions and
history) and published or archived by action; they are written on the knowledge pages, where
every save becomes a version. Feedback is for looking up."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from prm.tenancy.admin_base import (
    LookupOnlyAdmin,
    ReadOnlyInline,
    StatusHistoryInline,
    VendorModelAdmin,
)

from .models import (
    Article,
    ArticleAttachment,
    ArticleFeedback,
    ArticleStatusChange,
    ArticleVersion,
    Category,
    Tag,
)
from .publishing import article_archive, article_publish
from .services import tag_save, tags_delete


@admin.register(Category)
class CategoryAdmin(VendorModelAdmin):
    list_display = ["code", "name", "name_en", "position"]
    list_editable = ["position"]
    search_fields = ["code", "name", "name_en"]


@admin.register(Tag)
class TagAdmin(VendorModelAdmin):
    """A tag is part of its articles' search index: renaming or deleting one re-indexes them."""

    list_display = ["name"]
    list_filter = [("articles__category", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["name"]

    def save_model(self, request: HttpRequest, obj: Tag, form: Any, change: bool) -> None:
        tag_save(obj)

    def delete_model(self, request: HttpRequest, obj: Tag) -> None:
        tags_delete(Tag.objects.filter(pk=obj.pk))

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Tag]) -> None:
        tags_delete(queryset)


class VersionInline(ReadOnlyInline):
    model = ArticleVersion
    fields = readonly_fields = ("number", "title", "note", "edited_by", "created_at")


class AttachmentInline(ReadOnlyInline):
    model = ArticleAttachment
    fields = readonly_fields = ("original_name", "content_type", "size", "uploaded_at")


class ArticleHistoryInline(StatusHistoryInline):
    model = ArticleStatusChange


@admin.register(Article)
class ArticleAdmin(LookupOnlyAdmin):
    list_display = [
        "title",
        "category",
        "kind",
        "status",
        "version",
        "helpful_count",
        "unhelpful_count",
        "updated_at",
    ]
    list_filter = ["status", "kind", "category", "tags"]
    search_fields = ["title", "title_en", "summary", "tags__name"]
    list_select_related = ["category"]
    inlines = [VersionInline, AttachmentInline, ArticleHistoryInline]
    actions = ["publish", "archive"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return [f.name for f in Article._meta.fields if f.name != "search_vector"] + [
            "tags",
            "tiers",
            "regions",
        ]

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return self.get_readonly_fields(request, obj)

    def _each(self, request: HttpRequest, queryset: QuerySet[Article], action: Any) -> None:
        for article in queryset.order_by("pk"):
            try:
                action(article, actor=request.user)
            except (ValidationError, PermissionDenied) as exc:
                text = " ".join(exc.messages) if isinstance(exc, ValidationError) else ""
                refusal = text or _("not allowed")
                self.message_user(request, f"{article}: {refusal}", messages.ERROR)

    @admin.action(description=_("Publish the selected articles"))
    def publish(self, request: HttpRequest, queryset: QuerySet[Article]) -> None:
        self._each(request, queryset, article_publish)

    @admin.action(description=_("Archive the selected articles"))
    def archive(self, request: HttpRequest, queryset: QuerySet[Article]) -> None:
        self._each(request, queryset, article_archive)


@admin.register(ArticleFeedback)
class ArticleFeedbackAdmin(LookupOnlyAdmin):
    list_display = ["article", "user", "helpful", "comment", "created_at"]
    list_filter = ["helpful", "article__category"]
    search_fields = ["article__title", "user__email", "user__full_name", "comment"]
    list_select_related = ["article", "user"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return [f.name for f in ArticleFeedback._meta.fields]

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
