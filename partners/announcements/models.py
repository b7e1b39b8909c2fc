"""Policy announcements (公告): price changes, new rebate programs, promotions, policy notices,
sent to the partners of their audience. Each reader's opening and (for important ones) their
acknowledgement is a receipt; reminders to acknowledge are recorded so each goes once."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from partners.audience import Audience
from partners.knowledge.files import Attachment, private_path
from partners.knowledge.text import safe_html
from partners.models import PartnerType
from prm.core.bilingual import pick
from prm.core.models import AuditReasonMixin, StatusChange


class AnnouncementKind(models.TextChoices):
    PRICE_CHANGE = "price_change", _("Price change")
    REBATE_PROGRAM = "rebate_program", _("Rebate program")
    PROMOTION = "promotion", _("Promotion")
    POLICY = "policy", _("Policy")
    OTHER = "other", _("Other")


class Importance(models.TextChoices):
    NORMAL = "normal", _("Normal")
    IMPORTANT = "important", _("Important: acknowledgement required")


class AnnouncementStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    WITHDRAWN = "withdrawn", pgettext_lazy("announcement status", "Withdrawn")


# A withdrawn notice stays withdrawn: what partners were told is history; a correction is a new
# announcement.
ANNOUNCEMENT_TRANSITIONS: dict[str, set[str]] = {
    AnnouncementStatus.DRAFT: {AnnouncementStatus.PUBLISHED},
    AnnouncementStatus.PUBLISHED: {AnnouncementStatus.WITHDRAWN},
    AnnouncementStatus.WITHDRAWN: set(),
}


class Announcement(AuditReasonMixin, Audience):
    kind = models.CharField(_("kind"), max_length=16, choices=AnnouncementKind.choices)
    importance = models.CharField(
        _("importance"), max_length=12, choices=Importance.choices, default=Importance.NORMAL
    )
    title = models.CharField(_("title (Chinese)"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=200, blank=True)
    summary = models.CharField(_("summary"), max_length=300, blank=True)
    body = models.TextField(_("body (Chinese)"))
    body_en = models.TextField(_("body (English)"), blank=True)
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=AnnouncementStatus.choices,
        default=AnnouncementStatus.DRAFT,
        editable=False,
        db_index=True,
    )
    publish_at = models.DateTimeField(
        _("publish at"),
        null=True,
        blank=True,
        help_text=_("Empty: as soon as it is published. Later: partners see it from then on."),
    )
    ack_due = models.DateField(
        _("acknowledge by"),
        null=True,
        blank=True,
        help_text=_("Important announcements only: reminders go two days before."),
    )
    published_at = models.DateTimeField(_("published at"), null=True, blank=True, editable=False)
    # Set once, when the recipients were told (at publishing, or by the daily job when a
    # scheduled one comes due): the guard that makes telling happen once.
    notified_at = models.DateTimeField(_("partners told at"), null=True, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("announcement")
        verbose_name_plural = _("announcements")
        ordering = ["-publish_at", "-published_at", "-pk"]
        indexes = [models.Index(fields=["status", "publish_at"], name="announcement_live")]

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
    def is_important(self) -> bool:
        return self.importance == Importance.IMPORTANT

    @property
    def publishes_later(self) -> bool:
        """Its `publish_at` is still to come (a draft published now would be scheduled)."""
        return self.publish_at is not None and self.publish_at > timezone.now()

    @property
    def is_scheduled(self) -> bool:
        """Published, but partners see it only from `publish_at`."""
        return (
            self.status == AnnouncementStatus.PUBLISHED
            and self.publish_at is not None
            and self.publish_at > timezone.now()
        )

    @property
    def partner_type_labels(self) -> list[str]:
        return [str(PartnerType(t).label) for t in self.partner_types if t in PartnerType.values]


class AnnouncementStatusChange(StatusChange):
    status_labels = dict(AnnouncementStatus.choices)

    announcement = models.ForeignKey(
        Announcement, on_delete=models.CASCADE, related_name="status_changes"
    )

    class Meta(StatusChange.Meta):
        verbose_name = _("announcement status change")
        verbose_name_plural = _("announcement status changes")


class AnnouncementReceipt(models.Model):
    """One reader's copy: when they first opened it, when they acknowledged it."""

    announcement = models.ForeignKey(
        Announcement,
        verbose_name=_("announcement"),
        on_delete=models.CASCADE,
        related_name="receipts",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reader"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    read_at = models.DateTimeField(_("first read at"))
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)

    class Meta:
        verbose_name = _("read receipt")
        verbose_name_plural = _("read receipts")
        ordering = ["read_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["announcement", "user"], name="announcement_receipt_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.announcement_id}: {self.user_id}"


class AnnouncementReminder(models.Model):
    """A reminder to acknowledge, sent once per reader and announcement."""

    announcement = models.ForeignKey(
        Announcement, on_delete=models.CASCADE, related_name="reminders"
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    sent_at = models.DateTimeField(_("sent at"), auto_now_add=True)

    class Meta:
        verbose_name = _("acknowledgement reminder")
        verbose_name_plural = _("acknowledgement reminders")
        constraints = [
            models.UniqueConstraint(
                fields=["announcement", "user"], name="announcement_remind_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.announcement_id}: {self.user_id}"


def attachment_path(attachment: AnnouncementAttachment, filename: str) -> str:
    return private_path("announcements", attachment.announcement_id, filename)


class AnnouncementAttachment(Attachment):
    announcement = models.ForeignKey(
        Announcement,
        verbose_name=_("announcement"),
        on_delete=models.CASCADE,
        related_name="attachments",
    )
    file = models.FileField(_("file"), upload_to=attachment_path, max_length=200)

    class Meta(Attachment.Meta):
        verbose_name = _("announcement attachment")
        verbose_name_plural = _("announcement attachments")
