"""Knowledge base (知识库): articles in categories with tags, shown to the partners of their
audience, searchable in Chinese and English, every edit kept as a version."""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.utils.translation import gettext_lazy as _

from partners.audience import Audience
from partners.models import PartnerType
from prm.core.bilingual import pick
from prm.core.models import AuditReasonMixin, StatusChange

from .files import Attachment, private_path
from .text import safe_html


class Category(AuditReasonMixin, models.Model):
    code = models.SlugField(_("code"), max_length=48, unique=True)
    name = models.CharField(_("name (Chinese)"), max_length=80)
    name_en = models.CharField(_("name (English)"), max_length=80, blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("knowledge category")
        verbose_name_plural = _("knowledge categories")
        ordering = ["position", "code"]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return pick(self.name, self.name_en)


class Tag(models.Model):
    name = models.CharField(_("name"), max_length=40, unique=True)

    class Meta:
        verbose_name = _("tag")
        verbose_name_plural = _("tags")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ArticleKind(models.TextChoices):
    PRODUCT = "product", _("Product")
    SALES = "sales", _("Sales material")
    CASE = "case", _("Customer case")
    POLICY = "policy", _("Price and rebate policy")
    FAQ = "faq", _("FAQ")


class ArticleStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    ARCHIVED = "archived", _("Archived")


ARTICLE_TRANSITIONS: dict[str, set[str]] = {
    ArticleStatus.DRAFT: {ArticleStatus.PUBLISHED, ArticleStatus.ARCHIVED},
    ArticleStatus.PUBLISHED: {ArticleStatus.ARCHIVED, ArticleStatus.DRAFT},
    ArticleStatus.ARCHIVED: {ArticleStatus.DRAFT, ArticleStatus.PUBLISHED},
}


class Article(AuditReasonMixin, Audience):
    category = models.ForeignKey(
        Category,
        verbose_name=_("category"),
        on_delete=models.PROTECT,
        related_name="articles",
    )
    kind = models.CharField(_("kind"), max_length=12, choices=ArticleKind.choices)
    title = models.CharField(_("title (Chinese)"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=200, blank=True)
    summary = models.CharField(_("summary"), max_length=300, blank=True)
    body = models.TextField(_("body (Chinese)"))
    body_en = models.TextField(_("body (English)"), blank=True)
    tags = models.ManyToManyField(Tag, verbose_name=_("tags"), blank=True, related_name="articles")
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=ArticleStatus.choices,
        default=ArticleStatus.DRAFT,
        editable=False,
        db_index=True,
    )
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)
    # Written by knowledge.search on every save: Chinese as character bigrams, English stemmed.
    search_vector = SearchVectorField(null=True, editable=False)
    helpful_count = models.PositiveIntegerField(_("helpful"), default=0, editable=False)
    unhelpful_count = models.PositiveIntegerField(_("not helpful"), default=0, editable=False)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("article")
        verbose_name_plural = _("articles")
        ordering = ["-published_at", "-pk"]
        indexes = [GinIndex(fields=["search_vector"], name="article_search")]

    def __str__(self) -> str:
        return self.display_title

    @property
    def display_title(self) -> str:
        return pick(self.title, self.title_en)

    @property
    def display_body(self) -> str:
        return pick(self.body, self.body_en)

    @property
    def body_html(self) -> str:
        return safe_html(self.display_body)

    @property
    def partner_type_labels(self) -> list[str]:
        return [str(PartnerType(t).label) for t in self.partner_types if t in PartnerType.values]


class ArticleStatusChange(StatusChange):
    status_labels = dict(ArticleStatus.choices)

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="status_changes")

    class Meta(StatusChange.Meta):
        verbose_name = _("article status change")
        verbose_name_plural = _("article status changes")


def attachment_path(attachment: ArticleAttachment, filename: str) -> str:
    return private_path("knowledge", attachment.article_id, filename)


class ArticleAttachment(Attachment):
    article = models.ForeignKey(
        Article, verbose_name=_("article"), on_delete=models.CASCADE, related_name="attachments"
    )
    file = models.FileField(_("file"), upload_to=attachment_path, max_length=200)

    class Meta(Attachment.Meta):
        verbose_name = _("article attachment")
        verbose_name_plural = _("article attachments")


class ArticleVersion(models.Model):
    """The article as it was saved each time: who changed what, and the text to restore."""

    article = models.ForeignKey(
        Article, verbose_name=_("article"), on_delete=models.CASCADE, related_name="versions"
    )
    number = models.PositiveIntegerField(_("version"))
    title = models.CharField(_("title (Chinese)"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=200, blank=True)
    body = models.TextField(_("body (Chinese)"))
    body_en = models.TextField(_("body (English)"), blank=True)
    note = models.CharField(_("what changed"), max_length=200, blank=True)
    edited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("edited by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("saved at"), auto_now_add=True)

    class Meta:
        verbose_name = _("article version")
        verbose_name_plural = _("article versions")
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(fields=["article", "number"], name="article_version_once")
        ]

    def __str__(self) -> str:
        return f"{self.article_id} v{self.number}"


class ArticleFeedback(models.Model):
    """One "was this helpful" answer per person and article; answering again changes it."""

    article = models.ForeignKey(
        Article, verbose_name=_("article"), on_delete=models.CASCADE, related_name="feedback"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    helpful = models.BooleanField(_("helpful"))
    comment = models.CharField(_("comment"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("answered at"), auto_now=True)

    class Meta:
        verbose_name = _("article feedback")
        verbose_name_plural = _("article feedback")
        constraints = [
            models.UniqueConstraint(fields=["article", "user"], name="article_feedback_once")
        ]

    def __str__(self) -> str:
        return f"{self.article_id}: {self.helpful}"
