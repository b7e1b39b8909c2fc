"""The public verification page answers at most VERIFY_LIMIT look-ups per client IP in a
ten-minute window (a fixed window in the tenant-prefixed cache, prm.core.rate_limit), so codes
cannot be guessed by the thousand."""

from __future__ import annotations

from django.core.cache import cache

from prm.core.rate_limit import rate_take

VERIFY_LIMIT = 30
VERIFY_WINDOW_SECONDS = 10 * 60


def _key(ip: str) -> str:
    return f"academy:verify:{ip}"


def verify_throttle_take(ip: str) -> bool:
    """Count one look-up; False once this IP is over the limit."""
    return rate_take(_key(ip), limit=VERIFY_LIMIT, window_seconds=VERIFY_WINDOW_SECONDS)


def verify_throttle_reset(ip: str) -> None:
    cache.delete(_key(ip))
