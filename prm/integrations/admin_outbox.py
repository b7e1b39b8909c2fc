"""The outbox in Django admin: events and deliveries to look up (written by the outbox only),
and the receivers, which are set up on the Integrations pages, where their input is checked;
here a receiver can only be switched on or off."""

from __future__ import annotations

import json
from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from prm.tenancy.admin_base import LookupOnlyAdmin, ReadOnlyInline, VendorModelAdmin

from .models import Delivery, DeliveryStatus, MessagingChannel, OutboxEvent, WebhookEndpoint
from .outbox import delivery_replay

DELIVERY_FIELDS = (
    "status",
    "attempts",
    "next_attempt_at",
    "lease_until",
    "last_status_code",
    "last_error",
    "delivered_at",
    "created_at",
)


class DeliveryInline(ReadOnlyInline):
    model = Delivery
    fields = readonly_fields = ("webhook", "channel", *DELIVERY_FIELDS)


def _all_fields(model: Any) -> list[str]:
    return [f.name for f in model._meta.fields]


@admin.register(OutboxEvent)
class OutboxEventAdmin(LookupOnlyAdmin):
    list_display = ["occurred_at", "event_type", "object_type", "object_id", "id"]
    list_filter = ["event_type"]
    search_fields = ["=id", "event_type", "=object_id"]
    date_hierarchy = "occurred_at"
    inlines = [DeliveryInline]
    exclude = ["payload"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [*(f for f in _all_fields(OutboxEvent) if f != "payload"), "payload_json"]

    @admin.display(description=_("payload"))
    def payload_json(self, obj: OutboxEvent) -> str:
        text = json.dumps(obj.payload, ensure_ascii=False, indent=2)
        return format_html('<pre style="white-space: pre-wrap">{}</pre>', text)


@admin.register(Delivery)
class DeliveryAdmin(LookupOnlyAdmin):
    list_display = [
        "created_at",
        "event",
        "webhook",
        "channel",
        "status",
        "attempts",
        "last_status_code",
        "next_attempt_at",
        "delivered_at",
    ]
    list_filter = ["status", "webhook", "channel"]
    search_fields = ["event__event_type", "=event__object_id", "=event__id"]
    list_select_related = ["event", "webhook", "channel"]
    actions = ["replay"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return _all_fields(Delivery)

    @admin.action(description=_("Replay the failed deliveries chosen"))
    def replay(self, request: HttpRequest, queryset: QuerySet[Delivery]) -> None:
        done = 0
        for delivery in queryset.filter(status=DeliveryStatus.FAILED).order_by("pk"):
            try:
                delivery_replay(delivery=delivery, actor=request.user)
            except ValidationError:
                continue
            done += 1
        self.message_user(
            request, _("%(n)d deliveries queued to be sent again.") % {"n": done}, messages.SUCCESS
        )


class _ReceiverAdmin(VendorModelAdmin):
    list_filter = ["is_active"]
    search_fields = ["name"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # deactivate instead: the delivery history stays


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(_ReceiverAdmin):
    list_display = ["name", "url", "event_types", "is_active", "created_at"]
    exclude = ["secret"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [f for f in _all_fields(WebhookEndpoint) if f not in ("is_active", "secret")]


@admin.register(MessagingChannel)
class MessagingChannelAdmin(_ReceiverAdmin):
    list_display = ["name", "kind", "event_types", "is_active", "created_at"]
    list_filter = ["kind", "is_active"]
    exclude = ["secret"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [f for f in _all_fields(MessagingChannel) if f not in ("is_active", "secret")]
