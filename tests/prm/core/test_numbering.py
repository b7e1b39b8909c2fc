import pytest

from prm.core.models import Sequence
from prm.core.numbering import next_number, next_value
from tests.concurrency import in_thread, run_concurrently

pytestmark = pytest.mark.django_db


def test_concurrent_callers_never_get_the_same_number(tenant_a):
    key = "race-test"
    try:
        values = run_concurrently("alpha", [lambda: next_value(key) for _ in range(8)])
        assert sorted(values) == list(range(1, 9))
    finally:
        in_thread("alpha", lambda: Sequence.objects.filter(key=key).delete())


def test_sequences_are_per_tenant(tenant_a, tenant_b):
    key = "per-tenant-test"
    try:
        a = [in_thread("alpha", lambda: next_value(key)) for _ in range(3)]
        b = in_thread("bravo", lambda: next_value(key))
        assert (a, b) == ([1, 2, 3], 1)
    finally:
        for schema in ("alpha", "bravo"):
            in_thread(schema, lambda: Sequence.objects.filter(key=key).delete())


def test_number_format_restarts_each_year(in_a):
    from django.utils import timezone

    year = timezone.localdate().year
    assert next_number("SO") == f"SO-{year}-000001"
    assert next_number("SO") == f"SO-{year}-000002"
