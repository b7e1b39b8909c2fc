"""A worker killed (SIGKILL) while it sends a webhook (prm.integrations.outbox).

A real `celery -A prm worker --pool=prefork --concurrency=1` serves a queue of this test's own,
and the jobs the outbox queues on commit are sent there. Five events commit; the receiver holds
the first request open, and the pool process sending it is killed. What holds (the documented
contract, docs/integrations_events.md: at least once, deduplicate by event id):

- the other four events are delivered once each, by the job queued for them;
- the killed job is redelivered (acks_late + reject_on_worker_lost) but sends nothing: the
  delivery's lease is still held, so no second sender can race a send that may be in flight;
- once the lease has run out, the periodic drain sends it again: the receiver then has that event
  twice, both with the same event id (header and body), and every delivery is delivered.
"""

from __future__ import annotations

import json
import os
import signal
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from django.db import transaction
from django.utils import timezone

from prm.core import jobs
from prm.integrations import events as ev
from prm.integrations import outbox
from prm.integrations.models import Delivery, DeliveryStatus, WebhookEndpoint
from prm.integrations.outbox_tasks import outbox_drain
from tests.concurrency import in_thread
from tests.prm.integrations.receiver import Receiver
from tests.workers import Worker, queue_forget

from .servers import eventually
from .vendors import vendor_drop, vendor_new

pytestmark = pytest.mark.django_db

SLUG = "faultsout"
QUEUE = f"faults-outbox-{os.getpid()}"
EVENTS = 5


@pytest.fixture(scope="module")
def vendor(django_db_setup: None, django_db_blocker: Any, receiver: Receiver) -> Iterator[None]:
    with django_db_blocker.unblock():
        vendor_new(SLUG)
        try:
            in_thread(
                SLUG,
                lambda: WebhookEndpoint.objects.create(
                    name="ERP", url=receiver.url, secret="s" * 32, event_types=[ev.ORDER_SHIPPED]
                ),
            )
            yield
        finally:
            vendor_drop(SLUG)
            queue_forget(QUEUE)


@pytest.fixture(scope="module")
def worker(vendor: None) -> Iterator[Worker]:
    running = Worker("faults-outbox", queue=QUEUE, pool="prefork")
    try:
        running.wait_ready()
        yield running
    finally:
        running.stop()


@pytest.fixture
def on_our_queue(monkeypatch: pytest.MonkeyPatch) -> None:
    """The outbox's on-commit job goes to this test's queue, where its worker listens."""

    def enqueue(task: Any, event_id: str) -> None:
        jobs.enqueue_on_commit(task.s().set(queue=QUEUE), event_id)

    monkeypatch.setattr(outbox, "enqueue_on_commit", enqueue)


def emit() -> list[str]:
    with transaction.atomic():
        events = [
            outbox.outbox_emit(event_type=ev.ORDER_SHIPPED, payload={"n": n}) for n in range(EVENTS)
        ]
    return [str(event.id) for event in events]


def deliveries() -> dict[str, tuple[str, int, bool]]:
    """Each event's delivery: status, attempts, leased."""
    rows = Delivery.objects.values_list("event_id", "status", "attempts", "lease_until")
    return {str(event): (status, n, lease is not None) for event, status, n, lease in rows}


def drain() -> int:
    """What beat runs every minute, on this test's worker: the deliveries it sent."""
    return int(outbox_drain.apply_async(queue=QUEUE, headers={"_schema_name": SLUG}).get(60))


def test_a_send_cut_by_a_killed_worker_is_sent_again_with_the_same_event_id(
    vendor, worker, receiver, on_our_queue
):
    receiver.delay = 10.0  # the first request is held open: its send is in flight
    sent = in_thread(SLUG, emit)
    eventually(lambda: receiver.received)
    (pool_process,) = worker.children()

    os.kill(pool_process, signal.SIGKILL)
    receiver.delay = 0.0
    cut = receiver.received[0].headers["X-PRM-Event-Id"]
    others = [event for event in sent if event != cut]

    # The four other jobs send their events. The killed one is handed back to the queue, runs
    # on the new pool process before this drain, and finds the delivery leased: nothing is sent.
    eventually(lambda: set(receiver.event_ids()) == set(sent))
    assert drain() == 0
    assert dict(receiver.event_ids()) == dict.fromkeys(sent, 1)
    assert in_thread(SLUG, deliveries)[cut] == (DeliveryStatus.PENDING, 1, True)

    # Five minutes on (the lease's length), the drain sends it again.
    in_thread(
        SLUG,
        lambda: Delivery.objects.filter(event_id=cut).update(
            lease_until=timezone.now() - timedelta(seconds=1)
        ),
    )
    assert drain() == 1

    assert dict(receiver.event_ids()) == {cut: 2, **dict.fromkeys(others, 1)}
    repeats = [r for r in receiver.received if r.headers["X-PRM-Event-Id"] == cut]
    assert [json.loads(r.body)["id"] for r in repeats] == [cut, cut]
    assert in_thread(SLUG, deliveries) == {
        cut: (DeliveryStatus.DELIVERED, 2, False),
        **dict.fromkeys(others, (DeliveryStatus.DELIVERED, 1, False)),
    }
    assert f"pid:{pool_process} exited with 'signal 9 (SIGKILL)'" in worker.output()
