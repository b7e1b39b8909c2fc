"""Every page, file and PDF URL, asked as every kind of user (docs/isolation.md).

One test per matrix entry asks the URL as each actor, each request rolled back, and compares
with the entry's rule; the completeness test fails for a URL without an entry and for an entry
whose URL is gone.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from .cases import PLATFORM, Case
from .matrix import CASES
from .runner import case_url, report, run_case

pytestmark = pytest.mark.django_db
# Covered by tests/isolation/api_admin/.
ELSEWHERE = ("admin/", "api/")


def _keys(patterns: list[Any], prefix: str = "", namespace: str = "") -> set[str]:
    keys: set[str] = set()
    for pattern in patterns:
        route = prefix + str(pattern.pattern)
        if route.startswith(ELSEWHERE):
            continue
        if isinstance(pattern, URLResolver):
            inner = namespace
            if pattern.namespace:
                inner = f"{namespace}{pattern.namespace}:"
            keys |= _keys(pattern.url_patterns, route, inner)
        elif isinstance(pattern, URLPattern):
            keys.add(f"{namespace}{pattern.name}" if pattern.name else f"/{route}")
    return keys


def url_keys() -> set[str]:
    tenant = _keys(get_resolver("prm.urls_tenant").url_patterns)
    platform = {PLATFORM + key for key in _keys(get_resolver("prm.urls_public").url_patterns)}
    return tenant | platform


def test_every_url_has_an_entry_and_every_entry_a_url() -> None:
    urls = url_keys()
    entries = {case.key for case in CASES}
    assert sorted(urls - entries) == [], "URLs without a matrix entry (tests/isolation/matrix/)"
    assert sorted(entries - urls) == [], "matrix entries whose URL no longer exists"


def _param(case: Case) -> Any:
    marks = [pytest.mark.xfail(strict=True, reason=case.xfail)] if case.xfail else []
    return pytest.param(case, id=case.id, marks=marks)


@pytest.mark.parametrize("case", [_param(case) for case in CASES])
def test_access(case: Case, world: Any, clients: Any) -> None:
    answers = run_case(case, world, clients)
    wrong = [a for a in answers if a.problem is not None]
    assert not wrong, report(case, case_url(case, world), answers)
