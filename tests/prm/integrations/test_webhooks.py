"""Webhook signatures: what the sender signs verifies at a real receiver, and a tampered body, an
old timestamp, a wrong secret or a mangled header does not."""

from __future__ import annotations

import hashlib
import hmac
import json

import pytest
from django.db import transaction

from prm.integrations import events as ev
from prm.integrations.models import Delivery, DeliveryStatus, WebhookEndpoint
from prm.integrations.outbox import deliveries_drain, outbox_emit
from prm.integrations.webhooks import webhook_signature, webhook_verify

from .receiver import Receiver

pytestmark = pytest.mark.django_db

SECRET = "whsec_example_secret"
BODY = b'{"id":"0b7c","type":"test.ping"}'
TS = 1700000000


def test_the_signature_is_hmac_sha256_over_timestamp_dot_body():
    # The same value `openssl dgst -sha256 -hmac whsec_example_secret` gives for
    # '1700000000.{"id":"0b7c","type":"test.ping"}' (docs/integrations_events.md).
    expected = "9382a5ca0cf5f3709f52de93f03d073a6692f7240d17cd7002099aa4af8ad600"

    assert webhook_signature(secret=SECRET, timestamp=TS, body=BODY) == f"t={TS},v1={expected}"


@pytest.mark.parametrize(
    ("body", "secret", "now", "verified"),
    [
        (BODY, SECRET, TS, True),
        (BODY, SECRET, TS + 300, True),  # the edge of the tolerance
        (BODY, SECRET, TS - 300, True),  # a receiver whose clock is behind
        (BODY, SECRET, TS + 301, False),  # too old: a replayed capture
        (BODY + b" ", SECRET, TS, False),  # tampered body
        (BODY.replace(b"test.ping", b"order.approved"), SECRET, TS, False),
        (BODY, "another-secret-entirely", TS, False),
    ],
)
def test_verify_accepts_only_the_signed_body_within_the_tolerance(body, secret, now, verified):
    header = webhook_signature(secret=SECRET, timestamp=TS, body=BODY)

    assert webhook_verify(secret=secret, body=body, signature_header=header, now=now) is verified


@pytest.mark.parametrize(
    "header",
    [
        "",
        "t=1700000000",
        "v1=9382a5ca0cf5f3709f52de93f03d073a6692f7240d17cd7002099aa4af8ad600",
        "t=soon,v1=9382a5ca0cf5f3709f52de93f03d073a6692f7240d17cd7002099aa4af8ad600",
        "t=1700000001,v1=9382a5ca0cf5f3709f52de93f03d073a6692f7240d17cd7002099aa4af8ad600",
    ],
)
def test_verify_rejects_missing_or_mismatched_parts(header):
    assert webhook_verify(secret=SECRET, body=BODY, signature_header=header, now=TS) is False


def test_a_second_signature_for_a_rotated_secret_still_verifies():
    old = webhook_signature(secret="the-old-secret-value", timestamp=TS, body=BODY)
    new = webhook_signature(secret=SECRET, timestamp=TS, body=BODY)
    header = f"{old},v1={new.split('v1=')[1]}"

    assert webhook_verify(secret=SECRET, body=BODY, signature_header=header, now=TS) is True
    assert webhook_verify(secret="the-old-secret-value", body=BODY, signature_header=header, now=TS)


def test_a_real_receiver_gets_a_signed_json_post_that_verifies(in_a):
    endpoint = WebhookEndpoint.objects.create(
        name="ERP", url="", secret=SECRET, event_types=[ev.ORDER_APPROVED]
    )
    payload = {"order": {"id": 7, "number": "SO-7", "total": "1200.00"}, "partner": {"id": 3}}
    with Receiver() as receiver:
        WebhookEndpoint.objects.filter(pk=endpoint.pk).update(url=receiver.start().url)
        with transaction.atomic():
            event = outbox_emit(event_type=ev.ORDER_APPROVED, payload=payload)

        assert deliveries_drain() == 1

    [got] = receiver.received
    body = json.loads(got.body)
    assert body == {
        "id": str(event.id),
        "type": "order.approved",
        "occurred_at": event.occurred_at.isoformat(),
        "tenant": "alpha",
        "data": payload,
    }
    assert got.path == "/hook"
    assert got.headers["Content-Type"] == "application/json; charset=utf-8"
    assert got.headers["X-PRM-Event"] == "order.approved"
    assert got.headers["X-PRM-Event-Id"] == str(event.id)
    timestamp = int(got.headers["X-PRM-Timestamp"])
    digest = hmac.new(SECRET.encode(), f"{timestamp}.".encode() + got.body, hashlib.sha256)
    assert got.headers["X-PRM-Signature"] == f"t={timestamp},v1={digest.hexdigest()}"
    assert webhook_verify(
        secret=SECRET, body=got.body, signature_header=got.headers["X-PRM-Signature"]
    )
    assert not webhook_verify(
        secret=SECRET, body=got.body + b"x", signature_header=got.headers["X-PRM-Signature"]
    )
    delivery = Delivery.objects.get(event=event)
    assert (delivery.status, delivery.attempts, delivery.last_status_code, delivery.last_error) == (
        DeliveryStatus.DELIVERED,
        1,
        200,
        "",
    )


def test_chinese_text_travels_as_utf8_characters(in_a):
    endpoint = WebhookEndpoint.objects.create(
        name="ERP", url="", secret=SECRET, event_types=[ev.ORDER_CANCELLED]
    )
    with Receiver() as receiver:
        WebhookEndpoint.objects.filter(pk=endpoint.pk).update(url=receiver.start().url)
        with transaction.atomic():
            outbox_emit(event_type=ev.ORDER_CANCELLED, payload={"reason": "客户取消"})
        deliveries_drain()

    assert "客户取消".encode() in receiver.received[0].body


@pytest.mark.parametrize(
    ("status", "answer", "error"),
    [
        (500, b"boom", "HTTP 500: boom"),
        (404, b"", "HTTP 404:"),
        (302, b"", "HTTP 302:"),  # redirects are not followed with a signed body
    ],
)
def test_any_answer_but_2xx_is_a_failure_with_its_status(in_a, status, answer, error):
    endpoint = WebhookEndpoint.objects.create(
        name="ERP", url="", secret=SECRET, event_types=[ev.ORDER_SHIPPED]
    )
    with Receiver(status=status, body=answer) as receiver:
        WebhookEndpoint.objects.filter(pk=endpoint.pk).update(url=receiver.start().url)
        with transaction.atomic():
            event = outbox_emit(event_type=ev.ORDER_SHIPPED, payload={})
        assert deliveries_drain() == 0

    delivery = Delivery.objects.get(event=event)
    assert (delivery.status, delivery.attempts, delivery.last_status_code, delivery.last_error) == (
        DeliveryStatus.PENDING,
        1,
        status,
        error,
    )
