"""The outbox: events written in the transaction of the change that caused them, and their
deliveries to each receiver (webhook endpoints, messaging channels), retried until delivered."""

from __future__ import annotations

import uuid

from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.utils.translation import gettext_lazy as _

from .webhooks import WebhookEndpoint


class OutboxEvent(models.Model):
    """Something other systems must hear of. `id` travels with every delivery so a receiver can
    drop one it has already processed."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    event_type = models.CharField(_("event"), max_length=64, db_index=True)
    payload = models.JSONField(_("payload"))
    object_type = models.CharField(_("object type"), max_length=64, blank=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    occurred_at = models.DateTimeField(_("occurred at"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("outbox event")
        verbose_name_plural = _("outbox events")
        ordering = ["-occurred_at"]
        indexes = [models.Index(fields=["object_type", "object_id"], name="outbox_event_object")]

    def __str__(self) -> str:
        return f"{self.event_type} {self.object_type}#{self.object_id}"


class MessagingKind(models.TextChoices):
    WECOM = "wecom", _("WeCom group robot")
    DINGTALK = "dingtalk", _("DingTalk group robot")
    EMAIL = "email", _("Email")


class MessagingChannel(models.Model):
    """Where people hear of chosen events: a WeCom or DingTalk group robot, or email to the
    vendor staff of chosen roles and to listed addresses."""

    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=16, choices=MessagingKind.choices)
    webhook_url = models.URLField(_("robot webhook URL"), max_length=500, blank=True)
    secret = models.CharField(
        _("signing secret"),
        max_length=128,
        blank=True,
        help_text=_("DingTalk robots with signing (加签): the SEC… secret."),
    )
    roles = ArrayField(
        models.CharField(max_length=32), verbose_name=_("staff roles"), default=list, blank=True
    )
    emails = ArrayField(
        models.EmailField(), verbose_name=_("email addresses"), default=list, blank=True
    )
    event_types = ArrayField(models.CharField(max_length=64), verbose_name=_("events"))
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("messaging channel")
        verbose_name_plural = _("messaging channels")
        ordering = ["name", "pk"]

    def __str__(self) -> str:
        return self.name


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    DELIVERED = "delivered", _("Delivered")
    FAILED = "failed", _("Failed")  # gave up after the last retry; can be replayed


class Delivery(models.Model):
    """One event to one receiver. Created with the event, in its transaction, so no receiver
    misses an event; sent by a worker holding a short lease, retried with backoff."""

    event = models.ForeignKey(
        OutboxEvent, verbose_name=_("event"), on_delete=models.CASCADE, related_name="deliveries"
    )
    webhook = models.ForeignKey(
        WebhookEndpoint,
        verbose_name=_("webhook endpoint"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="deliveries",
    )
    channel = models.ForeignKey(
        MessagingChannel,
        verbose_name=_("messaging channel"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="deliveries",
    )
    status = models.CharField(
        _("status"), max_length=16, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt at"), db_index=True)
    lease_until = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    last_status_code = models.PositiveSmallIntegerField(_("last response"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(webhook__isnull=False, channel__isnull=True)
                | models.Q(webhook__isnull=True, channel__isnull=False),
                name="delivery_one_receiver",
            )
        ]
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                condition=models.Q(status="pending"),
                name="delivery_due",
            )
        ]

    def __str__(self) -> str:
        return f"{self.event} → {self.webhook or self.channel}"

    @property
    def receiver(self) -> WebhookEndpoint | MessagingChannel | None:
        return self.webhook or self.channel
