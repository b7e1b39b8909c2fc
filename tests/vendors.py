"""Vendors whose data a test commits (a server, worker or pg_dump of their own reads it), and
so must drop itself, also when a killed run left one behind."""

from __future__ import annotations

from django.db import connection


def vendor_drop(schema: str) -> None:
    """The vendor, its domains and its schema; a bare schema of that name too."""
    from prm.tenancy.models import Tenant
    from prm.tenancy.services import vendor_remove

    connection.set_schema_to_public()
    tenant = Tenant.objects.filter(schema_name=schema).first()
    if tenant is not None:
        vendor_remove(tenant)
    with connection.cursor() as cursor:
        cursor.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
