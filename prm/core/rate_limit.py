"""Fixed-window counters in the (tenant-prefixed) cache, taken with an atomic INCR so parallel
requests cannot slip past a limit together."""

from __future__ import annotations

from django.core.cache import cache


def rate_count(key: str) -> int:
    return int(cache.get(key, 0))


def rate_take(key: str, *, limit: int, window_seconds: int) -> bool:
    """Count one use of `key`; False once the window holds more than `limit` uses."""
    cache.add(key, 0, timeout=window_seconds)
    try:
        count = int(cache.incr(key))
    except ValueError:  # the window expired between add and incr: a new one starts
        cache.add(key, 1, timeout=window_seconds)
        count = 1
    return count <= limit
