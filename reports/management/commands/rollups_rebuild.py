"""Rebuild the cockpit's monthly rollups of one vendor, or of all, from their source rows."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django_tenants.utils import schema_context

from prm.tenancy.models import Tenant
from reports.rollups import rollups_rebuild


class Command(BaseCommand):
    help = "Recompute the monthly sales rollups from orders, shipments and payments."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--schema", help="One vendor's schema; all vendors when omitted.")

    def handle(self, *args: Any, schema: str | None = None, **options: Any) -> None:
        tenants = Tenant.objects.exclude(schema_name="public").order_by("schema_name")
        if schema:
            tenants = tenants.filter(schema_name=schema)
        for tenant in tenants:
            with schema_context(tenant.schema_name):
                lines, partners = rollups_rebuild()
            self.stdout.write(f"{tenant.schema_name}: {lines} line rows, {partners} partner rows")
