"""The URL patterns a host serves, walked from its URLconf: the list the matrices must cover."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from django.urls import URLPattern, URLResolver, get_resolver

TENANT_URLS = "prm.urls_tenant"
PUBLIC_URLS = "prm.urls_public"


@dataclass(frozen=True)
class Route:
    route: str  # the joined pattern text, e.g. "api/v1/^orders/(?P<pk>[^/.]+)/approve/$"
    name: str | None
    callback: Callable[..., Any]

    @property
    def format_suffixed(self) -> bool:
        """DRF's `.json`-style twin of a route (DefaultRouter adds one for each)."""
        return "(?P<format>" in self.route


def _walk(patterns: list[Any], prefix: str) -> Iterator[Route]:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _walk(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield Route(prefix + str(pattern.pattern), pattern.name, pattern.callback)


def routes_under(prefix: str, urlconf: str = TENANT_URLS) -> list[Route]:
    return [r for r in _walk(get_resolver(urlconf).url_patterns, "") if r.route.startswith(prefix)]
