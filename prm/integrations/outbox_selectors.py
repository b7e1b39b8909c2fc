"""Reading the outbox for its vendor admin pages: receivers, deliveries (filtered), events."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from .events import TEST, event_choices
from .models import Delivery, DeliveryStatus, MessagingChannel, OutboxEvent, WebhookEndpoint

_PENDING = Q(deliveries__status=DeliveryStatus.PENDING)
_FAILED = Q(deliveries__status=DeliveryStatus.FAILED)


def webhooks_list() -> QuerySet[WebhookEndpoint]:
    """Endpoints with how many of their deliveries wait and how many failed."""
    return WebhookEndpoint.objects.annotate(
        pending=Count("deliveries", filter=_PENDING), failed=Count("deliveries", filter=_FAILED)
    ).order_by("-is_active", "name", "pk")


def channels_list() -> QuerySet[MessagingChannel]:
    return MessagingChannel.objects.annotate(
        pending=Count("deliveries", filter=_PENDING), failed=Count("deliveries", filter=_FAILED)
    ).order_by("-is_active", "name", "pk")


def deliveries_list() -> QuerySet[Delivery]:
    return Delivery.objects.select_related("event", "webhook", "channel").order_by(
        "-created_at", "-pk"
    )


def event_deliveries(event: OutboxEvent) -> QuerySet[Delivery]:
    return event.deliveries.select_related("webhook", "channel").order_by("pk")


def _receiver_choices() -> list[tuple[str, str]]:
    webhooks = [
        (f"webhook:{pk}", f"{_('Webhook')}: {name}")
        for pk, name in WebhookEndpoint.objects.order_by("name", "pk").values_list("pk", "name")
    ]
    channels = [
        (f"channel:{pk}", f"{_('Channel')}: {name}")
        for pk, name in MessagingChannel.objects.order_by("name", "pk").values_list("pk", "name")
    ]
    return webhooks + channels


class DeliveryFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(
        choices=DeliveryStatus.choices, label=_("Status"), empty_label=_("All statuses")
    )
    event_type = django_filters.ChoiceFilter(
        field_name="event__event_type",
        choices=[*event_choices(), (TEST, _("Test event"))],
        label=_("Event"),
        empty_label=_("All events"),
    )
    receiver = django_filters.ChoiceFilter(
        method="for_receiver", label=_("Receiver"), empty_label=_("All receivers")
    )

    class Meta:
        model = Delivery
        fields = ["status"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.filters["receiver"].extra["choices"] = _receiver_choices()

    def for_receiver(self, qs: QuerySet[Delivery], name: str, value: str) -> QuerySet[Delivery]:
        kind, _sep, pk = value.partition(":")
        if not pk.isdigit():
            return qs.none()
        if kind == "webhook":
            return qs.filter(webhook_id=int(pk))
        if kind == "channel":
            return qs.filter(channel_id=int(pk))
        return qs.none()
