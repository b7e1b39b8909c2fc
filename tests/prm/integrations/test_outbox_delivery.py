"""Acceptance: delivery survives the receiver being down and delivers each event exactly once
after it comes back, also with two workers draining at the same moment in their own database
sessions (the lease keeps them from sending the same delivery twice)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from prm.integrations import events as ev
from prm.integrations.models import Delivery, DeliveryStatus, OutboxEvent, WebhookEndpoint
from prm.integrations.outbox import deliveries_drain, outbox_emit
from prm.integrations.outbox_tasks import outbox_deliver
from tests.concurrency import in_thread, run_concurrently

from .receiver import Receiver

pytestmark = pytest.mark.django_db

EVENTS = 6


@pytest.fixture(autouse=True)
def queued_jobs(monkeypatch) -> list[tuple]:
    """The job queued on commit would go to Redis; the drains are run here instead."""
    queued: list[tuple] = []
    monkeypatch.setattr(
        outbox_deliver, "apply_async", lambda args, kwargs, headers, **options: queued.append(args)
    )
    return queued


def test_a_receiver_that_was_down_gets_each_event_once_after_it_is_back(in_a):
    receiver = Receiver()  # not started: connection refused
    WebhookEndpoint.objects.create(
        name="ERP", url=receiver.url, secret="x" * 32, event_types=[ev.ORDER_APPROVED]
    )
    with transaction.atomic():
        sent = [outbox_emit(event_type=ev.ORDER_APPROVED, payload={"n": n}) for n in range(3)]
    t0 = timezone.now()
    for minutes in (0, 1, 2, 5, 10):  # down for ten minutes: every drain fails
        assert deliveries_drain(now=t0 + timedelta(minutes=minutes)) == 0
    failed_attempts = sum(Delivery.objects.values_list("attempts", flat=True))

    with receiver.start():
        delivered = deliveries_drain(now=t0 + timedelta(hours=1))
        for hours in (2, 3, 24):
            deliveries_drain(now=t0 + timedelta(hours=hours))

    assert failed_attempts >= 3
    assert delivered == 3
    assert receiver.event_ids() == {str(e.id): 1 for e in sent}
    assert set(Delivery.objects.values_list("status", "last_error", "last_status_code")) == {
        (DeliveryStatus.DELIVERED, "", 200)
    }


def _cleanup(endpoint_id: int) -> None:
    def remove() -> None:
        events = OutboxEvent.objects.filter(deliveries__webhook_id=endpoint_id)
        event_ids = list(events.values_list("pk", flat=True))
        Delivery.objects.filter(webhook_id=endpoint_id).delete()
        OutboxEvent.objects.filter(pk__in=event_ids).delete()
        WebhookEndpoint.objects.filter(pk=endpoint_id).delete()

    in_thread("alpha", remove)


def test_two_workers_draining_at_once_send_each_event_exactly_once(tenant_a):
    receiver = Receiver(delay=0.2)  # slow answers: the two drains overlap

    def setup() -> tuple[int, list[str]]:
        endpoint = WebhookEndpoint.objects.create(
            name="ERP race", url=receiver.url, secret="x" * 32, event_types=[ev.ORDER_SHIPPED]
        )
        with transaction.atomic():
            events = [
                outbox_emit(event_type=ev.ORDER_SHIPPED, payload={"n": n}) for n in range(EVENTS)
            ]
        return endpoint.pk, [str(e.id) for e in events]

    endpoint_id, event_ids = in_thread("alpha", setup)
    try:
        t0 = timezone.now()

        def drain_at(minutes: int):
            return lambda: deliveries_drain(now=t0 + timedelta(minutes=minutes))

        down = run_concurrently("alpha", [drain_at(0), drain_at(0)])
        with receiver.start():
            up = run_concurrently("alpha", [drain_at(60), drain_at(60)])
            later = run_concurrently("alpha", [drain_at(120), drain_at(120)])
            again = run_concurrently("alpha", [drain_at(600), drain_at(600)])

        def read() -> list[tuple[str, int]]:
            rows = Delivery.objects.filter(webhook_id=endpoint_id).values_list(
                "status", "lease_until"
            )
            return sorted((status, lease is None) for status, lease in rows)

        rows = in_thread("alpha", read)
    finally:
        _cleanup(endpoint_id)

    assert down == [0, 0]
    assert sum(up) == EVENTS  # shared between the two workers, each delivery sent by one
    assert all(n > 0 for n in up)  # both really worked at the same time
    assert (later, again) == ([0, 0], [0, 0])
    assert receiver.event_ids() == dict.fromkeys(event_ids, 1)
    assert rows == [(DeliveryStatus.DELIVERED, True)] * EVENTS


def test_the_job_queued_on_commit_sends_its_event(tenant_a, queued_jobs):
    receiver = Receiver().start()

    def setup() -> tuple[int, str]:
        endpoint = WebhookEndpoint.objects.create(
            name="ERP job", url=receiver.url, secret="x" * 32, event_types=[ev.PAYMENT_RECORDED]
        )
        with transaction.atomic():
            event = outbox_emit(event_type=ev.PAYMENT_RECORDED, payload={})
        return endpoint.pk, str(event.id)

    endpoint_id, event_id = in_thread("alpha", setup)
    try:
        sent = in_thread("alpha", lambda: outbox_deliver(event_id))
        twice = in_thread("alpha", lambda: outbox_deliver(event_id))
    finally:
        receiver.stop()
        _cleanup(endpoint_id)

    assert queued_jobs == [(event_id,)]  # queued once the transaction committed
    assert (sent, twice) == (1, 0)
    assert receiver.event_ids() == {event_id: 1}


def test_emitting_outside_a_transaction_is_refused(tenant_a):
    def emit() -> str:
        try:
            outbox_emit(event_type=ev.ORDER_APPROVED, payload={})
        except RuntimeError as exc:
            return str(exc)
        return "emitted"

    assert in_thread("alpha", emit) == "outbox_emit must run inside the transaction of the change"
