"""Benchmarks run in the test settings' database (PRM_TEST_DB, created and dropped by pytest-django)
in a tenant of their own, so no timing data ever lands in the test suite's vendors."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from prm.tenancy.db import tenant_connection
from prm.tenancy.models import Tenant
from prm.tenancy.services import platform_ensure, vendor_create

BENCH_SLUG = "bench"


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: None, django_db_blocker: Any) -> None:
    connection = tenant_connection()
    with django_db_blocker.unblock():
        connection.set_schema_to_public()
        platform_ensure()
        if not Tenant.objects.filter(schema_name=BENCH_SLUG).exists():
            vendor_create(
                slug=BENCH_SLUG,
                name="Bench Electronics",
                admin_email="admin@bench.test",
                admin_password="first-admin-pass",
            )
        connection.set_schema_to_public()


@pytest.fixture
def in_bench(db: None) -> Iterator[Tenant]:
    """The benchmark's ORM calls in the bench vendor's schema; its rows are rolled back after."""
    connection = tenant_connection()
    tenant = Tenant.objects.get(schema_name=BENCH_SLUG)
    connection.set_tenant(tenant)
    yield tenant
    connection.set_schema_to_public()
