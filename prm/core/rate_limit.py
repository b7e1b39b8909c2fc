"""Fixed-window counters in the (tenant-prefixed) cache, taken with an atomic INCR so parallel
requests cannot slip past a limit together.

While the cache (Redis) is down the limits fail CLOSED: `rate_take` refuses. Every limit here
guards something a stranger could abuse at volume: the duplicate check answers whether a
customer code or phone belongs to someone (enumeration), the certificate check would let codes be
guessed, and the public application form invites spam. None of them is needed to order, sell or
log in, so refusing them for the minutes of an outage costs little, while failing open would
hand out an unlimited window to anyone who notices (or causes) it. docs/faults.md.
"""

from __future__ import annotations

import logging

from django.core.cache import cache

from .cache import CacheUnavailable

log = logging.getLogger(__name__)


def rate_count(key: str) -> int:
    return int(cache.get(key, 0))


def rate_take(key: str, *, limit: int, window_seconds: int) -> bool:
    """Count one use of `key`; False once the window holds more than `limit` uses, or while
    the cache cannot count."""
    cache.add(key, 0, timeout=window_seconds)
    try:
        count = int(cache.incr(key))
    except ValueError:  # the window expired between add and incr: a new one starts
        cache.add(key, 1, timeout=window_seconds)
        count = 1
    except CacheUnavailable:
        log.warning("rate limit %s refused: the cache is unreachable", key)
        return False
    return count <= limit
