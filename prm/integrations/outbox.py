"""The transactional outbox: events are written with the change that caused them, and each
receiver's delivery is sent by a worker, retried with backoff until it arrives.

Rules (docs/integrations_events.md):
- `outbox_emit` runs inside the caller's transaction: a change that rolls back leaves no event
  and no delivery; one that commits has one pending delivery per subscribed active receiver.
- A worker takes a delivery with a conditional UPDATE that sets a lease (due, pending, lease
  empty or expired), so two workers never send the same delivery at once. It then sends and
  records the outcome only while it still holds that lease.
- A worker that dies mid-send leaves the lease to expire; the delivery is sent again. Sending is
  at least once; every retry carries the same event id for receivers to drop repeats.
- A failed attempt is retried after 1, 2, 4 … minutes (at most 6 h apart); after MAX_ATTEMPTS
  the delivery is failed, and a vendor admin can replay it.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from auditlog.models import LogEntry
from celery.exceptions import SoftTimeLimitExceeded
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from prm.core.jobs import enqueue_on_commit

from . import events as ev
from .messaging import channel_send
from .models import Delivery, DeliveryStatus, MessagingChannel, OutboxEvent, WebhookEndpoint
from .sending import DeliveryError
from .webhooks import webhook_send

log = logging.getLogger(__name__)

LEASE = timedelta(minutes=5)  # longer than any one send (10 s timeout, a slow mail server)
MAX_ATTEMPTS = 12  # 1+2+4+…+256 min, then 6 h twice: about 20 hours of retrying
BACKOFF_CAP = timedelta(hours=6)
DRAIN_BATCH = 200
DRAIN_SECONDS = 45.0  # a drain stops taking new deliveries after this; the next one goes on
ERROR_LIMIT = 2000


def retry_delay(attempts: int) -> timedelta:
    """How long after the `attempts`-th failed attempt the next one is due."""
    return min(timedelta(minutes=2 ** max(attempts - 1, 0)), BACKOFF_CAP)


# --- emitting -----------------------------------------------------------------------------------


def _receivers(event_type: str) -> tuple[list[WebhookEndpoint], list[MessagingChannel]]:
    webhooks = WebhookEndpoint.objects.filter(is_active=True, event_types__contains=[event_type])
    channels = MessagingChannel.objects.filter(is_active=True, event_types__contains=[event_type])
    return list(webhooks.order_by("pk")), list(channels.order_by("pk"))


def _object_ref(obj: models.Model | None) -> tuple[str, str]:
    if obj is None:
        return "", ""
    return obj._meta.label_lower, str(obj.pk)


def outbox_emit(
    *, event_type: str, payload: dict[str, Any], obj: models.Model | None = None
) -> OutboxEvent:
    """Record `event_type` for every receiver subscribed to it. Call inside the transaction of
    the change: the event and its deliveries commit (or roll back) with it, and the send is
    queued only once it has committed."""
    if event_type not in ev.EVENT_LABELS:
        raise ValueError(f"unknown outbox event type {event_type!r}")
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("outbox_emit must run inside the transaction of the change")
    object_type, object_id = _object_ref(obj)
    event = OutboxEvent.objects.create(
        event_type=event_type, payload=payload, object_type=object_type, object_id=object_id
    )
    webhooks, channels = _receivers(event_type)
    _deliveries_create(event, webhooks=webhooks, channels=channels)
    return event


def _deliveries_create(
    event: OutboxEvent,
    *,
    webhooks: Iterable[WebhookEndpoint] = (),
    channels: Iterable[MessagingChannel] = (),
) -> list[Delivery]:
    now = timezone.now()
    rows = [Delivery(event=event, webhook=w, next_attempt_at=now) for w in webhooks]
    rows += [Delivery(event=event, channel=c, next_attempt_at=now) for c in channels]
    created = Delivery.objects.bulk_create(rows)
    if created:
        from .outbox_tasks import outbox_deliver

        enqueue_on_commit(outbox_deliver, str(event.id))
    return created


@transaction.atomic
def outbox_test_event(
    *, webhook: WebhookEndpoint | None = None, channel: MessagingChannel | None = None
) -> OutboxEvent:
    """A test event for one receiver only (active or not), so its setup can be checked."""
    receiver = webhook or channel
    if receiver is None:
        raise ValueError("give a webhook or a channel")
    payload = {
        "receiver": receiver.name,
        "message": "这是一条测试消息。 / This is a test message.",
    }
    event = OutboxEvent.objects.create(
        event_type=ev.TEST,
        payload=payload,
        object_type=receiver._meta.label_lower,
        object_id=str(receiver.pk),
    )
    _deliveries_create(
        event, webhooks=[webhook] if webhook else [], channels=[channel] if channel else []
    )
    return event


# --- delivering ---------------------------------------------------------------------------------


def _free_lease(now: datetime) -> Q:
    return Q(lease_until__isnull=True) | Q(lease_until__lte=now)


def deliveries_due(*, now: datetime) -> models.QuerySet[Delivery]:
    return Delivery.objects.filter(_free_lease(now), status=DeliveryStatus.PENDING).filter(
        next_attempt_at__lte=now
    )


def delivery_claim(*, delivery_id: int, now: datetime) -> datetime | None:
    """Take the delivery if it is due and nobody holds it; the lease's end, which the outcome
    must match to be recorded, or None if it was not free. Runs outside any transaction so the
    lease is visible to other workers before the send starts."""
    lease = now + LEASE
    taken = (
        deliveries_due(now=now)
        .filter(pk=delivery_id)
        .update(lease_until=lease, attempts=F("attempts") + 1)
    )
    return lease if taken else None


def _send(delivery: Delivery) -> int | None:
    if delivery.webhook is not None:
        return webhook_send(endpoint=delivery.webhook, event=delivery.event)
    if delivery.channel is not None:
        return channel_send(channel=delivery.channel, event=delivery.event)
    raise DeliveryError("The delivery has no receiver.")


def _is_test(delivery: Delivery) -> bool:
    return delivery.event.event_type == ev.TEST


def delivery_attempt(*, delivery_id: int, now: datetime | None = None) -> bool | None:
    """Claim, send and record one delivery. True if delivered, False if the attempt failed,
    None if it was not ours to send (not due, done, or held by another worker)."""
    now = now or timezone.now()
    lease = delivery_claim(delivery_id=delivery_id, now=now)
    if lease is None:
        return None
    delivery = Delivery.objects.select_related("event", "webhook", "channel").get(pk=delivery_id)
    mine = Delivery.objects.filter(pk=delivery_id, lease_until=lease)
    receiver = delivery.receiver
    if receiver is not None and not receiver.is_active and not _is_test(delivery):
        mine.update(
            status=DeliveryStatus.FAILED,
            attempts=F("attempts") - 1,  # nothing was sent
            lease_until=None,
            last_error=str(_("The receiver is deactivated; replay once it is active again.")),
        )
        return False
    try:
        status_code = _send(delivery)
    except DeliveryError as exc:
        return _failed(delivery, mine, now=now, error=str(exc), status_code=exc.status_code)
    except SoftTimeLimitExceeded:
        raise  # the job is out of time: the lease expires and the delivery is tried again
    except Exception as exc:  # a bug or a library error must not stop the whole drain
        log.exception("outbox delivery %s raised", delivery_id)
        return _failed(delivery, mine, now=now, error=f"{type(exc).__name__}: {exc}")
    recorded = mine.update(
        status=DeliveryStatus.DELIVERED,
        delivered_at=timezone.now(),
        last_status_code=status_code,
        last_error="",
        lease_until=None,
    )
    if not recorded:  # our lease ran out mid-send; another worker may send it again
        log.warning("outbox delivery %s outlived its lease", delivery_id)
    return True


def _failed(
    delivery: Delivery,
    mine: models.QuerySet[Delivery],
    *,
    now: datetime,
    error: str,
    status_code: int | None = None,
) -> bool:
    attempts = delivery.attempts  # already counts this attempt (the claim added it)
    update: dict[str, Any] = {
        "last_error": error[:ERROR_LIMIT],
        "last_status_code": status_code,
        "lease_until": None,
    }
    if attempts >= MAX_ATTEMPTS or _is_test(delivery):  # a test is tried once
        update["status"] = DeliveryStatus.FAILED
    else:
        update["next_attempt_at"] = now + retry_delay(attempts)
    mine.update(**update)
    return False


def deliveries_drain(
    *,
    now: datetime | None = None,
    event_id: str | None = None,
    limit: int = DRAIN_BATCH,
    seconds: float = DRAIN_SECONDS,
) -> int:
    """Send what is due (of one event, or all); the number delivered. A receiver that fails is
    not tried again in the same drain, so one that is down costs one timeout per drain, not
    one per waiting event; its other deliveries stay due for the next drain."""
    started = time.monotonic()
    due = deliveries_due(now=now or timezone.now())
    if event_id is not None:
        due = due.filter(event_id=uuid.UUID(str(event_id)))
    rows = list(
        due.order_by("next_attempt_at", "pk").values_list("pk", "webhook_id", "channel_id")[:limit]
    )
    down: set[tuple[int | None, int | None]] = set()
    delivered = 0
    for pk, webhook_id, channel_id in rows:
        if time.monotonic() - started > seconds:
            break
        if (webhook_id, channel_id) in down:
            continue
        outcome = delivery_attempt(delivery_id=pk, now=now)
        if outcome:
            delivered += 1
        elif outcome is False:
            down.add((webhook_id, channel_id))
    return delivered


# --- replaying ----------------------------------------------------------------------------------


REPLAYABLE = (DeliveryStatus.FAILED, DeliveryStatus.DELIVERED)


@transaction.atomic
def delivery_replay(*, delivery: Delivery, actor: Any, again: bool = False) -> Delivery:
    """Send a failed delivery again (or, with `again`, a delivered one): pending, due now, its
    attempts counted afresh. The receiver gets the same event id."""
    locked = Delivery.objects.select_for_update().get(pk=delivery.pk)
    allowed = REPLAYABLE if again else (DeliveryStatus.FAILED,)
    if locked.status not in allowed:
        raise ValidationError(_("Only a failed delivery can be replayed."))
    old_status = locked.status
    locked.status = DeliveryStatus.PENDING
    locked.attempts = 0
    locked.next_attempt_at = timezone.now()
    locked.lease_until = None
    locked.delivered_at = None
    locked.save(
        update_fields=["status", "attempts", "next_attempt_at", "lease_until", "delivered_at"]
    )
    user = actor if getattr(actor, "is_authenticated", False) else None
    LogEntry.objects.log_create(
        locked,
        force_log=True,
        action=LogEntry.Action.UPDATE,
        changes={"status": [old_status, DeliveryStatus.PENDING.value]},
        actor=user,
        actor_email=getattr(user, "email", None),
        additional_data={"reason": "replay"},
    )
    from .outbox_tasks import outbox_deliver

    enqueue_on_commit(outbox_deliver, str(locked.event_id))
    return locked
