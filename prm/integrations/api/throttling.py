"""Each key has its own request budget per minute (`ApiKey.rate_per_minute`); the cache key
carries the vendor's schema (django-tenants' key function), so vendors never share a budget."""

from __future__ import annotations

from typing import Any

from rest_framework.request import Request
from rest_framework.throttling import SimpleRateThrottle

from ..models import ApiKey


class KeyRateThrottle(SimpleRateThrottle):
    scope = "api_key"
    rate = "600/min"  # replaced per key in allow_request

    def get_rate(self) -> str:
        return self.rate

    def allow_request(self, request: Request, view: Any) -> bool:
        key = request.auth
        if not isinstance(key, ApiKey):
            return True  # refused by authentication or permission, not here
        self.rate = f"{key.rate_per_minute}/min"
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request, view)

    def get_cache_key(self, request: Request, view: Any) -> str | None:
        key = request.auth
        return f"throttle_api_key_{key.pk}" if isinstance(key, ApiKey) else None
