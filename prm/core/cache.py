"""Django's Redis cache that survives Redis being down (docs/faults.md).

The cache holds nothing that is not also somewhere else or cheap to lose: rate-limit windows,
the rebate recalculation markers, DRF's per-key request history. So while Redis cannot be
reached a read is a miss and a write is dropped, instead of a 500 on every page that touches
the cache. After one connection error the backend does not try Redis again for RETRY_SECONDS
(per process): a Redis that times out would otherwise cost every cache call its timeout, and
every call would log.

`incr` has no "miss" to answer: it raises CacheUnavailable, and its caller decides
(prm.core.rate_limit fails closed).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable
from typing import Any

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

log = logging.getLogger(__name__)

RETRY_SECONDS = 5.0
# Server unreachable, refused, reset, or too slow; any other RedisError is a bug and raises.
UNREACHABLE = (RedisConnectionError, RedisTimeoutError)

# Per process (one entry per Redis location): monotonic time before which Redis is not tried.
_down_until: dict[str, float] = {}


class CacheUnavailable(Exception):
    """The cache server cannot be reached and the operation has no harmless fallback."""


class ResilientRedisCache(RedisCache):
    def __init__(self, server: str, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._location = server if isinstance(server, str) else ",".join(server)

    def _down(self) -> bool:
        return time.monotonic() < _down_until.get(self._location, 0.0)

    def _trip(self, exc: Exception, operation: str) -> None:
        _down_until[self._location] = time.monotonic() + RETRY_SECONDS
        log.warning(
            "cache unreachable (%s: %s) in %s; Redis not tried again for %.0f s",
            type(exc).__name__,
            exc,
            operation,
            RETRY_SECONDS,
        )

    def _guard(self, operation: str, fallback: Any, *args: Any) -> Any:
        """RedisCache's `operation`, or `fallback` while Redis cannot be reached."""
        if self._down():
            return fallback
        try:
            return getattr(super(), operation)(*args)
        except UNREACHABLE as exc:
            self._trip(exc, operation)
            return fallback

    def add(
        self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: Any = None
    ) -> bool:
        return bool(self._guard("add", False, key, value, timeout, version))

    def get(self, key: Any, default: Any = None, version: Any = None) -> Any:
        return self._guard("get", default, key, default, version)

    def set(
        self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: Any = None
    ) -> None:
        self._guard("set", None, key, value, timeout, version)

    def touch(self, key: Any, timeout: Any = DEFAULT_TIMEOUT, version: Any = None) -> bool:
        return bool(self._guard("touch", False, key, timeout, version))

    def delete(self, key: Any, version: Any = None) -> bool:
        return bool(self._guard("delete", False, key, version))

    def get_many(self, keys: Iterable[Any], version: Any = None) -> dict[Any, Any]:
        return dict(self._guard("get_many", {}, keys, version))

    def has_key(self, key: Any, version: Any = None) -> bool:
        return bool(self._guard("has_key", False, key, version))

    def set_many(
        self, data: dict[Any, Any], timeout: Any = DEFAULT_TIMEOUT, version: Any = None
    ) -> list[Any]:
        # Django's contract: the keys that were not stored.
        return list(self._guard("set_many", list(data), data, timeout, version))

    def delete_many(self, keys: Iterable[Any], version: Any = None) -> None:
        self._guard("delete_many", None, keys, version)

    def clear(self) -> None:
        self._guard("clear", None)

    def incr(self, key: Any, delta: int = 1, version: Any = None) -> int:
        if self._down():
            raise CacheUnavailable(f"the cache at {self._location} is unreachable")
        try:
            return int(super().incr(key, delta, version))
        except UNREACHABLE as exc:
            self._trip(exc, "incr")
            raise CacheUnavailable(f"the cache at {self._location} is unreachable") from exc
