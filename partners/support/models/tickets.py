"""A partner's ticket (问题提报), its shared timeline and files, and its status history."""

from __future__ import annotations

import uuid
from datetime import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from prm.core.models import AuditReasonMixin, StatusChange

from .choices import ACTIVE_STATUSES, TicketCategory, TicketPriority, TicketStatus
from .rules import SlaPolicy


def overdue(now: datetime) -> Q:
    """Past a target at `now`: no first response by its due time, or not resolved by its due
    time. The periodic job marks these breached within ten minutes."""
    return Q(status__in=ACTIVE_STATUSES) & (
        Q(first_responded_at__isnull=True, first_response_due__lte=now) | Q(resolution_due__lte=now)
    )


def breached() -> Q:
    return Q(first_response_breached=True) | Q(resolution_breached=True)


class Ticket(AuditReasonMixin, models.Model):
    number = models.CharField(_("ticket no."), max_length=32, unique=True, editable=False)
    partner = models.ForeignKey(
        "partners.Partner",
        verbose_name=_("partner"),
        on_delete=models.PROTECT,
        related_name="tickets",
    )
    submitter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("submitted by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    category = models.CharField(_("category"), max_length=16, choices=TicketCategory.choices)
    priority = models.CharField(
        _("priority"),
        max_length=8,
        choices=TicketPriority.choices,
        default=TicketPriority.NORMAL,
    )
    subject = models.CharField(_("subject"), max_length=200)
    description = models.TextField(_("description"))
    # The partner's province when it was submitted: routing and reports keep that view.
    region = models.CharField(_("province / region"), max_length=64, blank=True, editable=False)
    order = models.ForeignKey(
        "orders.Order",
        verbose_name=_("order"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    deal = models.ForeignKey(
        "deal_registration.DealRegistration",
        verbose_name=_("deal registration"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="support_tickets",
        editable=False,
    )
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=TicketStatus.choices,
        default=TicketStatus.OPEN,
        editable=False,
        db_index=True,
    )
    resolution = models.TextField(_("resolution"), blank=True, editable=False)
    sla_policy = models.ForeignKey(
        SlaPolicy,
        verbose_name=_("SLA policy"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    submitted_at = models.DateTimeField(_("submitted at"), default=timezone.now, editable=False)
    first_response_due = models.DateTimeField(_("first response due"), editable=False)
    resolution_due = models.DateTimeField(_("resolution due"), editable=False)
    first_responded_at = models.DateTimeField(
        _("first response at"), null=True, blank=True, editable=False
    )
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True, editable=False)
    auto_close_at = models.DateTimeField(
        _("closes by itself at"), null=True, blank=True, editable=False
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True, editable=False)
    first_response_breached = models.BooleanField(
        _("first response late"), default=False, editable=False
    )
    resolution_breached = models.BooleanField(_("resolution late"), default=False, editable=False)
    escalation_level = models.PositiveSmallIntegerField(
        _("escalation level"), default=0, editable=False
    )
    escalated_at = models.DateTimeField(_("escalated at"), null=True, blank=True, editable=False)
    last_activity_at = models.DateTimeField(
        _("last activity"), default=timezone.now, editable=False
    )
    article = models.ForeignKey(
        "knowledge.Article",
        verbose_name=_("knowledge-base article"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )

    class Meta:
        verbose_name = _("support ticket")
        verbose_name_plural = _("support tickets")
        ordering = ["-submitted_at", "-pk"]
        indexes = [
            models.Index(
                fields=["first_response_due"],
                condition=Q(first_responded_at__isnull=True, first_response_breached=False),
                name="support_awaiting_response",
            ),
            models.Index(
                # The same terms as the periodic job's filter (partners.support.sla), so the
                # planner can use it; likewise for the first response above.
                fields=["resolution_due"],
                condition=Q(status__in=ACTIVE_STATUSES, resolution_breached=False),
                name="support_awaiting_resolution",
            ),
            models.Index(
                fields=["auto_close_at"],
                condition=Q(status="resolved"),
                name="support_awaiting_confirmation",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.subject}"

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATUSES

    @property
    def breached(self) -> bool:
        return self.first_response_breached or self.resolution_breached


class TicketStatusChange(StatusChange):
    status_labels = dict(TicketStatus.choices)

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="status_changes")

    class Meta(StatusChange.Meta):
        verbose_name = _("support ticket status change")
        verbose_name_plural = _("support ticket status changes")


class TicketMessage(models.Model):
    """One entry of the ticket's timeline. Internal notes are the vendor's alone: partners never
    see them, nor their files."""

    ticket = models.ForeignKey(
        Ticket, verbose_name=_("ticket"), on_delete=models.CASCADE, related_name="messages"
    )
    # Empty for what the system wrote (an escalation, an automatic close).
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    from_partner = models.BooleanField(_("from the partner"), default=False)
    internal = models.BooleanField(_("internal note"), default=False)
    body = models.TextField(_("message"))
    created_at = models.DateTimeField(_("written at"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("ticket message")
        verbose_name_plural = _("ticket messages")
        ordering = ["created_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(from_partner=True, internal=True),
                name="support_partner_never_internal",
            )
        ]

    def __str__(self) -> str:
        return f"{self.ticket_id}: {self.body[:40]}"


# The stored file's extension, from the type its content was recognised as.
EXTENSIONS = {"application/pdf": ".pdf", "image/png": ".png", "image/jpeg": ".jpg"}


def attachment_path(attachment: TicketAttachment, filename: str) -> str:
    # A random name: the original may name a customer, and paths must not be guessable. The
    # extension is the recognised type's, never the uploader's ("photo.png.html").
    suffix = EXTENSIONS.get(attachment.content_type, "")
    return f"support/{attachment.ticket_id}/{uuid.uuid4().hex}{suffix}"


class TicketAttachment(models.Model):
    ticket = models.ForeignKey(
        Ticket, verbose_name=_("ticket"), on_delete=models.CASCADE, related_name="attachments"
    )
    # Empty: attached to the ticket's description when it was submitted.
    message = models.ForeignKey(
        TicketMessage,
        verbose_name=_("message"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="attachments",
    )
    file = models.FileField(_("file"), upload_to=attachment_path, max_length=200)
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveIntegerField(_("size (bytes)"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("ticket attachment")
        verbose_name_plural = _("ticket attachments")
        ordering = ["uploaded_at", "pk"]

    def __str__(self) -> str:
        return self.original_name
