"""At most JOIN_LIMIT applications per client IP per hour, counted in the (tenant-prefixed) cache.

A fixed window that starts with the first application (`prm.core.rate_limit`), counted just
before saving.
"""

from __future__ import annotations

from django.core.cache import cache
from django.http import HttpRequest

from prm.core.rate_limit import rate_count, rate_take

JOIN_LIMIT = 5
JOIN_WINDOW_SECONDS = 60 * 60


def client_ip(request: HttpRequest) -> str:
    # REMOTE_ADDR only: X-Forwarded-For is set by the client unless a trusted proxy rewrites it.
    return str(request.META.get("REMOTE_ADDR") or "unknown")


def _key(ip: str) -> str:
    return f"recruitment:join:{ip}"


def join_throttled(ip: str) -> bool:
    return rate_count(_key(ip)) >= JOIN_LIMIT


def join_throttle_take(ip: str) -> bool:
    """Count one application; False if this one is over the limit."""
    return rate_take(_key(ip), limit=JOIN_LIMIT, window_seconds=JOIN_WINDOW_SECONDS)


def join_throttle_reset(ip: str) -> None:
    cache.delete(_key(ip))
