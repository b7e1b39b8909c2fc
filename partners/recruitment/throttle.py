"""At most JOIN_LIMIT applications per client IP per hour, counted in the (tenant-prefixed) cache.

A fixed window that starts with the first application; the counter is taken with an atomic INCR
just before saving, so parallel posts from one address cannot slip past the limit together.
"""

from __future__ import annotations

from django.core.cache import cache
from django.http import HttpRequest

JOIN_LIMIT = 5
JOIN_WINDOW_SECONDS = 60 * 60


def client_ip(request: HttpRequest) -> str:
    # REMOTE_ADDR only: X-Forwarded-For is set by the client unless a trusted proxy rewrites it.
    return str(request.META.get("REMOTE_ADDR") or "unknown")


def _key(ip: str) -> str:
    return f"recruitment:join:{ip}"


def join_throttled(ip: str) -> bool:
    return int(cache.get(_key(ip), 0)) >= JOIN_LIMIT


def join_throttle_take(ip: str) -> bool:
    """Count one application; False if this one is over the limit."""
    cache.add(_key(ip), 0, timeout=JOIN_WINDOW_SECONDS)
    try:
        count = int(cache.incr(_key(ip)))
    except ValueError:  # the window expired between add and incr: a new one starts
        cache.add(_key(ip), 1, timeout=JOIN_WINDOW_SECONDS)
        count = 1
    return count <= JOIN_LIMIT


def join_throttle_reset(ip: str) -> None:
    cache.delete(_key(ip))
