"""The outbox's rules: an event and its deliveries commit or roll back with the change; each
delivery is claimed under a lease, retried 1, 2, 4 … minutes apart (at most 6 h), failed after
the last attempt, and replayable; a worker that dies mid-send leaves it to be sent again."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone, translation

from prm.integrations import events as ev
from prm.integrations.models import (
    Delivery,
    DeliveryStatus,
    MessagingChannel,
    OutboxEvent,
    WebhookEndpoint,
)
from prm.integrations.outbox import (
    LEASE,
    MAX_ATTEMPTS,
    deliveries_drain,
    delivery_attempt,
    delivery_claim,
    delivery_replay,
    outbox_emit,
    retry_delay,
)

from .receiver import Receiver

pytestmark = pytest.mark.django_db

SECRET = "s3cret-for-the-outbox-tests"


def endpoint(url: str = "http://127.0.0.1:9/hook", **kw) -> WebhookEndpoint:
    return WebhookEndpoint.objects.create(
        name=kw.pop("name", "ERP"),
        url=url,
        secret=SECRET,
        event_types=kw.pop("event_types", [ev.ORDER_APPROVED]),
        **kw,
    )


def emit(event_type: str = ev.ORDER_APPROVED, **payload) -> OutboxEvent:
    with transaction.atomic():
        return outbox_emit(event_type=event_type, payload=payload or {"n": 1})


def test_an_event_gets_one_delivery_per_active_subscribed_receiver(in_a):
    erp = endpoint(name="ERP")
    endpoint(name="Off", is_active=False)
    endpoint(name="Shipping only", event_types=[ev.ORDER_SHIPPED])
    robot = MessagingChannel.objects.create(
        name="群机器人",
        kind="wecom",
        webhook_url="http://127.0.0.1:9/",
        event_types=[ev.ORDER_APPROVED],
    )
    MessagingChannel.objects.create(
        name="Mail", kind="email", emails=["a@example.com"], event_types=[ev.DEAL_APPROVED]
    )
    before = timezone.now()

    event = emit(number="SO-1")

    deliveries = list(Delivery.objects.filter(event=event).order_by("pk"))
    assert [(d.webhook_id, d.channel_id) for d in deliveries] == [(erp.pk, None), (None, robot.pk)]
    assert {(d.status, d.attempts, d.lease_until) for d in deliveries} == {
        (DeliveryStatus.PENDING, 0, None)
    }
    assert all(before <= d.next_attempt_at <= timezone.now() for d in deliveries)
    assert (event.event_type, event.payload, event.object_type, event.object_id) == (
        "order.approved",
        {"number": "SO-1"},
        "",
        "",
    )


def test_the_object_is_recorded_by_type_and_id(in_a, vendor_admin):
    with transaction.atomic():
        event = outbox_emit(event_type=ev.ORDER_APPROVED, payload={}, obj=vendor_admin)

    assert (event.object_type, event.object_id) == ("accounts.user", str(vendor_admin.pk))


def test_an_event_with_no_subscriber_is_kept_without_deliveries_or_job(
    in_a, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as queued:
        event = emit(ev.REBATE_SETTLED)

    assert OutboxEvent.objects.filter(pk=event.pk).exists()
    assert Delivery.objects.filter(event=event).count() == 0
    assert queued == []


def test_the_send_is_queued_once_on_commit_with_the_event_id(
    in_a, django_capture_on_commit_callbacks, monkeypatch
):
    from prm.integrations.outbox_tasks import outbox_deliver

    sent = []
    monkeypatch.setattr(
        outbox_deliver,
        "apply_async",
        lambda args, kwargs, headers, **options: sent.append((args, headers)),
    )
    endpoint()

    with django_capture_on_commit_callbacks(execute=True) as queued:
        event = emit()

    assert len(queued) == 1
    assert sent == [((str(event.id),), {"_schema_name": "alpha"})]


def test_a_rolled_back_change_leaves_no_event_no_delivery_and_no_job(
    in_a, django_capture_on_commit_callbacks
):
    endpoint()
    events_before = OutboxEvent.objects.count()

    def change_that_fails() -> None:
        with transaction.atomic():
            outbox_emit(event_type=ev.ORDER_APPROVED, payload={"n": 1})
            raise RuntimeError("the change failed after the event was written")

    with django_capture_on_commit_callbacks() as queued, pytest.raises(RuntimeError):
        change_that_fails()

    assert OutboxEvent.objects.count() == events_before
    assert Delivery.objects.count() == 0
    assert queued == []


def test_an_unknown_event_type_is_refused(in_a):
    with (
        pytest.raises(ValueError, match=r"unknown outbox event type 'order\.lost'"),
        transaction.atomic(),
    ):
        outbox_emit(event_type="order.lost", payload={})


def test_retries_back_off_1_2_4_minutes_up_to_6_hours_and_fail_after_the_last(in_a):
    with Receiver(status=503, body=b"maintenance") as receiver:
        endpoint(url=receiver.start().url)
        event = emit()
        delivery = Delivery.objects.get(event=event)
        now = delivery.next_attempt_at
        delays = []
        for attempt in range(1, MAX_ATTEMPTS + 1):
            # Just before it is due nothing is sent.
            assert deliveries_drain(now=now - timedelta(seconds=1)) == 0
            assert len(receiver.received) == attempt - 1
            assert deliveries_drain(now=now) == 0
            delivery.refresh_from_db()
            assert (delivery.attempts, delivery.lease_until, len(receiver.received)) == (
                attempt,
                None,
                attempt,
            )
            if delivery.status == DeliveryStatus.PENDING:
                delays.append(delivery.next_attempt_at - now)
                now = delivery.next_attempt_at
        later = deliveries_drain(now=now + timedelta(days=30))

    minutes = [int(d.total_seconds() // 60) for d in delays]
    assert minutes == [1, 2, 4, 8, 16, 32, 64, 128, 256, 360, 360]
    assert MAX_ATTEMPTS == 12
    assert (delivery.status, delivery.last_status_code, delivery.last_error) == (
        DeliveryStatus.FAILED,
        503,
        "HTTP 503: maintenance",
    )
    assert (later, len(receiver.received)) == (0, 12)  # failed stays failed until replayed


def test_the_delay_formula():
    assert [retry_delay(n) for n in (1, 2, 3, 9, 10, 40)] == [
        timedelta(minutes=1),
        timedelta(minutes=2),
        timedelta(minutes=4),
        timedelta(minutes=256),
        timedelta(hours=6),
        timedelta(hours=6),
    ]


def test_a_claimed_delivery_is_not_claimed_again_until_its_lease_expires(in_a):
    with Receiver() as receiver:
        endpoint(url=receiver.start().url)
        event = emit()
        delivery = Delivery.objects.get(event=event)
        now = delivery.next_attempt_at

        # A worker claims it and dies before sending or recording anything.
        lease = delivery_claim(delivery_id=delivery.pk, now=now)
        second = delivery_claim(delivery_id=delivery.pk, now=now + timedelta(seconds=1))
        during = deliveries_drain(now=now + LEASE - timedelta(seconds=1))
        assert len(receiver.received) == 0
        after = deliveries_drain(now=now + LEASE)
        again = deliveries_drain(now=now + LEASE + timedelta(hours=1))

    delivery.refresh_from_db()
    assert (lease, second, during, after, again) == (now + LEASE, None, 0, 1, 0)
    assert (delivery.status, delivery.attempts, delivery.lease_until) == (
        DeliveryStatus.DELIVERED,
        2,  # the dead worker's attempt counts
        None,
    )
    assert receiver.event_ids() == {str(event.id): 1}


def test_an_outcome_after_the_lease_was_lost_is_not_recorded(in_a):
    endpoint()
    event = emit()
    delivery = Delivery.objects.get(event=event)
    now = delivery.next_attempt_at
    delivery_claim(delivery_id=delivery.pk, now=now)
    # Another worker took it over after the first one's lease ran out...
    Delivery.objects.filter(pk=delivery.pk).update(lease_until=now + 2 * LEASE)

    # ...so the first one's late outcome (here: port 9 refuses) changes nothing.
    from prm.integrations import outbox

    mine = Delivery.objects.filter(pk=delivery.pk, lease_until=now + LEASE)
    outbox._failed(delivery, mine, now=now, error="late")

    delivery.refresh_from_db()
    assert (delivery.lease_until, delivery.last_error) == (now + 2 * LEASE, "")


def test_a_down_receiver_costs_one_attempt_per_drain_not_one_per_event(in_a):
    endpoint()  # port 9: nothing listens, connection refused
    first, second, third = emit(n=1), emit(n=2), emit(n=3)

    assert deliveries_drain() == 0

    rows = dict(Delivery.objects.values_list("event_id", "attempts"))
    assert rows == {first.id: 1, second.id: 0, third.id: 0}
    error = Delivery.objects.get(event=first).last_error
    assert error.startswith("ConnectionRefusedError")


def test_a_deactivated_receivers_deliveries_fail_unsent_and_can_be_replayed(in_a, vendor_admin):
    with Receiver() as receiver:
        erp = endpoint(url=receiver.start().url)
        event = emit()
        WebhookEndpoint.objects.filter(pk=erp.pk).update(is_active=False)

        with translation.override("en"):  # jobs write in the vendor's language
            assert deliveries_drain() == 0
        delivery = Delivery.objects.get(event=event)
        assert (delivery.status, delivery.attempts, delivery.last_error) == (
            DeliveryStatus.FAILED,
            0,
            "The receiver is deactivated; replay once it is active again.",
        )
        WebhookEndpoint.objects.filter(pk=erp.pk).update(is_active=True)
        delivery_replay(delivery=delivery, actor=vendor_admin)
        assert deliveries_drain() == 1

    assert receiver.event_ids() == {str(event.id): 1}


def test_replay_resets_a_failed_delivery_and_resends_the_same_event_id(in_a, vendor_admin):
    from auditlog.models import LogEntry

    with Receiver(status=500) as receiver:
        endpoint(url=receiver.start().url)
        event = emit()
        delivery = Delivery.objects.get(event=event)
        Delivery.objects.filter(pk=delivery.pk).update(
            status=DeliveryStatus.FAILED, attempts=MAX_ATTEMPTS, last_error="HTTP 500:"
        )
        receiver.status = 200

        replayed = delivery_replay(delivery=delivery, actor=vendor_admin)
        assert (replayed.status, replayed.attempts) == (DeliveryStatus.PENDING, 0)
        assert deliveries_drain() == 1

    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == (
        DeliveryStatus.DELIVERED,
        1,
        200,
    )
    assert receiver.event_ids() == {str(event.id): 1}
    entry = LogEntry.objects.get_for_object(delivery).get()
    assert (entry.actor, entry.changes_dict) == (vendor_admin, {"status": ["failed", "pending"]})


def test_only_failed_deliveries_replay_unless_sending_again_is_asked(in_a, vendor_admin):
    from django.core.exceptions import ValidationError

    endpoint()
    event = emit()
    delivery = Delivery.objects.get(event=event)

    with pytest.raises(ValidationError):
        delivery_replay(delivery=delivery, actor=vendor_admin)  # pending
    Delivery.objects.filter(pk=delivery.pk).update(status=DeliveryStatus.DELIVERED)
    with pytest.raises(ValidationError):
        delivery_replay(delivery=delivery, actor=vendor_admin)
    again = delivery_replay(delivery=delivery, actor=vendor_admin, again=True)

    assert (again.status, again.delivered_at) == (DeliveryStatus.PENDING, None)


def test_a_job_out_of_time_leaves_the_lease_to_expire(in_a, monkeypatch):
    from celery.exceptions import SoftTimeLimitExceeded

    def out_of_time(**kw):
        raise SoftTimeLimitExceeded()

    monkeypatch.setattr("prm.integrations.outbox.webhook_send", out_of_time)
    endpoint()
    delivery = Delivery.objects.get(event=emit())
    now = delivery.next_attempt_at

    with pytest.raises(SoftTimeLimitExceeded):
        deliveries_drain(now=now)

    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.lease_until) == (
        DeliveryStatus.PENDING,
        1,
        now + LEASE,
    )


def test_a_bug_in_a_sender_fails_the_attempt_instead_of_the_drain(in_a, monkeypatch):
    def broken(**kw):
        raise KeyError("oops")

    monkeypatch.setattr("prm.integrations.outbox.webhook_send", broken)
    endpoint()
    delivery = Delivery.objects.get(event=emit())

    assert deliveries_drain() == 0
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.last_error) == (
        DeliveryStatus.PENDING,
        1,
        "KeyError: 'oops'",
    )


def test_attempting_a_delivery_that_is_not_due_sends_nothing(in_a):
    endpoint()
    event = emit()
    delivery = Delivery.objects.get(event=event)

    outcome = delivery_attempt(
        delivery_id=delivery.pk, now=delivery.next_attempt_at - timedelta(seconds=1)
    )

    assert outcome is None
    delivery.refresh_from_db()
    assert delivery.attempts == 0


def test_beat_drains_every_vendor_every_minute():
    from celery.schedules import crontab

    from prm.celery import app
    from prm.integrations.outbox_tasks import outbox_drain
    from prm.settings import base

    entry = base.CELERY_BEAT_SCHEDULE["outbox-drain"]

    assert entry["task"] == "prm.core.tasks.dispatch_to_tenants"
    assert entry["args"] == ["prm.integrations.outbox_drain"]
    assert entry["schedule"] == crontab(hour="*", minute="*")
    assert app.tasks["prm.integrations.outbox_drain"].name == outbox_drain.name
    assert app.tasks["prm.integrations.outbox_deliver"].name == "prm.integrations.outbox_deliver"
