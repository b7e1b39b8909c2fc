"""The outbox in Django admin: events and deliveries to look up (never added or deleted there),
failed deliveries replayed by an action, receivers only switched on or off."""

from __future__ import annotations

import pytest
from django.db import transaction

from prm.integrations import events as ev
from prm.integrations.models import Delivery, MessagingChannel, OutboxEvent, WebhookEndpoint
from prm.integrations.outbox import outbox_emit
from prm.integrations.outbox_tasks import outbox_deliver
from tests.conftest import login

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(in_a, monkeypatch):
    monkeypatch.setattr(outbox_deliver, "apply_async", lambda *a, **kw: None)
    endpoint = WebhookEndpoint.objects.create(
        name="ERP", url="http://127.0.0.1:9/", secret="x" * 32, event_types=[ev.ORDER_APPROVED]
    )
    channel = MessagingChannel.objects.create(
        name="群", kind="wecom", webhook_url="http://127.0.0.1:9/", event_types=[ev.ORDER_APPROVED]
    )
    with transaction.atomic():
        event = outbox_emit(event_type=ev.ORDER_APPROVED, payload={"number": "SO-1"})
    return {"webhook": endpoint, "channel": channel, "event": event}


def test_every_outbox_admin_page_opens_read_only(client_a, vendor_admin, world):
    client = login(client_a, vendor_admin)
    event, delivery = world["event"], Delivery.objects.filter(event=world["event"]).first()
    pages = [
        "/admin/integrations/outboxevent/",
        f"/admin/integrations/outboxevent/{event.pk}/change/",
        "/admin/integrations/delivery/",
        "/admin/integrations/delivery/?status__exact=pending",
        f"/admin/integrations/delivery/?q={event.pk}",
        f"/admin/integrations/delivery/{delivery.pk}/change/",
        "/admin/integrations/webhookendpoint/",
        f"/admin/integrations/webhookendpoint/{world['webhook'].pk}/change/",
        "/admin/integrations/messagingchannel/",
        f"/admin/integrations/messagingchannel/{world['channel'].pk}/change/",
    ]

    assert {p: client.get(p).status_code for p in pages} == dict.fromkeys(pages, 200)
    change = client.get(f"/admin/integrations/outboxevent/{event.pk}/change/").content.decode()
    assert "&quot;number&quot;: &quot;SO-1&quot;" in change
    assert "x" * 32 not in client.get(pages[7]).content.decode()  # the secret is not shown
    for model in ("outboxevent", "delivery", "webhookendpoint", "messagingchannel"):
        assert client.get(f"/admin/integrations/{model}/add/").status_code == 403


def test_the_replay_action_requeues_failed_deliveries_only(client_a, vendor_admin, world):
    client = login(client_a, vendor_admin)
    failed, pending = Delivery.objects.filter(event=world["event"]).order_by("pk")
    Delivery.objects.filter(pk=failed.pk).update(status="failed", attempts=12)
    Delivery.objects.filter(pk=pending.pk).update(attempts=3)

    client.post(
        "/admin/integrations/delivery/",
        {"action": "replay", "_selected_action": [failed.pk, pending.pk]},
    )

    assert list(Delivery.objects.order_by("pk").values_list("status", "attempts")) == [
        ("pending", 0),  # replayed
        ("pending", 3),  # not failed: left alone
    ]
    assert OutboxEvent.objects.filter(pk=world["event"].pk).exists()
