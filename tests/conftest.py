"""Two vendors, created once per test session, and per-test helpers.

Each test runs inside a transaction that is rolled back; the tenants (and their schemas) are
committed once in `django_db_setup`, so there is no schema per test and nothing flushes the public
tenant rows.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connection
from django.test import Client

from prm.tenancy.models import Tenant
from prm.tenancy.services import platform_ensure, vendor_create
from prm.tenancy.template import template_refresh

TENANT_SLUGS = ("alpha", "bravo")


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: None, django_db_blocker: Any) -> None:
    with django_db_blocker.unblock():
        connection.set_schema_to_public()
        platform_ensure()
        # Vendors are copied from the template, as in production: the whole suite runs on
        # copied schemas (and setup takes one migration run instead of one per vendor).
        template_refresh()
        for slug in TENANT_SLUGS:
            if not Tenant.objects.filter(schema_name=slug).exists():
                vendor_create(
                    slug=slug,
                    name=f"{slug.title()} Electronics",
                    admin_email=f"admin@{slug}.test",
                    admin_password="first-admin-pass",
                )
        connection.set_schema_to_public()


@pytest.fixture(autouse=True)
def _public_schema_after_test() -> Iterator[None]:
    yield
    connection.set_schema_to_public()


def _tenant(slug: str) -> Tenant:
    # The tenant table is in public, which stays on every search path: no schema switch needed.
    return Tenant.objects.get(schema_name=slug)


@pytest.fixture
def tenant_a(db: None) -> Tenant:
    return _tenant("alpha")


@pytest.fixture
def tenant_b(db: None) -> Tenant:
    return _tenant("bravo")


@pytest.fixture
def in_a(tenant_a: Tenant) -> Tenant:
    """Run the test's ORM calls in vendor A's schema."""
    connection.set_tenant(tenant_a)
    return tenant_a


@pytest.fixture
def client_a(tenant_a: Tenant) -> Client:
    return Client(HTTP_HOST="alpha.localhost")


@pytest.fixture
def client_b(tenant_b: Tenant) -> Client:
    return Client(HTTP_HOST="bravo.localhost")


@pytest.fixture
def vendor_admin(in_a: Tenant) -> Any:
    from prm.accounts.models import User

    return User.objects.get(email="admin@alpha.test")


def login(client: Client, user: Any) -> Client:
    client.force_login(user)
    return client
