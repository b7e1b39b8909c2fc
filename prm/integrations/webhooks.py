"""Webhook deliveries: the signed JSON POST a receiver gets for each event.

Headers: `X-PRM-Event` (type), `X-PRM-Event-Id` (the event's UUID, the same on every retry, for
deduplication), `X-PRM-Timestamp` and `X-PRM-Signature: t=<unix ts>,v1=<hex>` where the hex is
HMAC-SHA256(secret, "<ts>.<raw body>"). The timestamp is signed with the body, so a captured
request cannot be replayed later than the receiver's tolerance. Body:
{"id", "type", "occurred_at", "tenant", "data"}.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from typing import Any

from prm.tenancy.db import tenant_connection

from .models import OutboxEvent, WebhookEndpoint
from .sending import http_post

SIGNATURE_HEADER = "X-PRM-Signature"
DEFAULT_TOLERANCE_SECONDS = 300


def webhook_body(event: OutboxEvent) -> bytes:
    """The event as sent: compact UTF-8 JSON (Chinese names as characters, not \\u escapes)."""
    document: dict[str, Any] = {
        "id": str(event.id),
        "type": event.event_type,
        "occurred_at": event.occurred_at.isoformat(),
        "tenant": tenant_connection().schema_name,
        "data": event.payload,
    }
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def webhook_signature(*, secret: str, timestamp: int, body: bytes) -> str:
    signed = str(timestamp).encode("ascii") + b"." + body
    digest = hmac.new(secret.encode("utf-8"), signed, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def webhook_verify(
    *,
    secret: str,
    body: bytes,
    signature_header: str,
    tolerance_seconds: int = DEFAULT_TOLERANCE_SECONDS,
    now: float | None = None,
) -> bool:
    """What a receiver runs on each request (standard library only, so it can be copied):
    true when `body` was signed with `secret` within `tolerance_seconds` of `now`."""
    timestamp: int | None = None
    candidates: list[str] = []
    for part in (signature_header or "").split(","):
        key, _, value = part.strip().partition("=")
        if key == "t":
            try:
                timestamp = int(value)
            except ValueError:
                return False
        elif key == "v1":
            candidates.append(value)
    if timestamp is None or not candidates:
        return False
    current = time.time() if now is None else now
    if abs(current - timestamp) > tolerance_seconds:
        return False
    signed = str(timestamp).encode("ascii") + b"." + body
    expected = hmac.new(secret.encode("utf-8"), signed, hashlib.sha256).hexdigest()
    # Every candidate is compared (in constant time) so timing tells nothing about which matched.
    matches = [hmac.compare_digest(expected, candidate) for candidate in candidates]
    return any(matches)


def webhook_headers(
    *, event: OutboxEvent, secret: str, body: bytes, timestamp: int
) -> dict[str, str]:
    return {
        "Content-Type": "application/json; charset=utf-8",
        "X-PRM-Event": event.event_type,
        "X-PRM-Event-Id": str(event.id),
        "X-PRM-Timestamp": str(timestamp),
        SIGNATURE_HEADER: webhook_signature(secret=secret, timestamp=timestamp, body=body),
    }


def webhook_send(*, endpoint: WebhookEndpoint, event: OutboxEvent) -> int:
    """POST the event to the endpoint, signed now; its status code, or DeliveryError."""
    body = webhook_body(event)
    headers = webhook_headers(
        event=event, secret=endpoint.secret, body=body, timestamp=int(time.time())
    )
    status, _answer = http_post(endpoint.url, body, headers)
    return status
