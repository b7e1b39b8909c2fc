"""What scenarios share: the bench vendor's schema, its people, a signed-in test client."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.conf import settings
from django.test import Client

from prm.accounts.models import User
from prm.tenancy.db import tenant_connection
from prm.tenancy.models import Tenant

from ..generate import Manifest


@contextmanager
def in_vendor(manifest: Manifest) -> Iterator[Tenant]:
    connection = tenant_connection()
    tenant = Tenant.objects.get(schema_name=manifest.slug.replace("-", "_"))
    connection.set_tenant(tenant)
    try:
        yield tenant
    finally:
        connection.set_schema_to_public()


def host(manifest: Manifest) -> str:
    return f"{manifest.slug}.{settings.PRM_BASE_DOMAIN}"


def signed_in(manifest: Manifest, email: str) -> Client:
    client = Client(HTTP_HOST=host(manifest))
    client.force_login(User.objects.get(email=email))
    return client
