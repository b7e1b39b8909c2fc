"""Many small vendors (`--tenants N`): what a platform hosting hundreds of vendors looks like to
`migrate_schemas` and to provisioning. Each gets a few partners, SKUs and orders."""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from typing import Any

from django.db import transaction

from prm.tenancy.db import tenant_connection
from prm.tenancy.models import Tenant
from prm.tenancy.services import vendor_create, vendor_remove

from .gen_catalog import catalog_generate
from .gen_orders import orders_generate
from .gen_partners import partners_generate
from .scales import Scale

MINI = Scale("mini", 10, 30, 10, 50, 300, 0, 0, 0, 0, dealers_with_users=2, partner_price_lists=0)
PREFIX = "bench-t"


def small_tenants_generate(
    n: int, *, keep: bool = False, say: Callable[[str], Any] = print
) -> list[str]:
    """Vendors bench-t001 … bench-tNNN, each dropped first if it exists (kept as it is with
    `keep`); returns their slugs."""
    connection = tenant_connection()
    made = []
    for i in range(1, n + 1):
        slug = f"{PREFIX}{i:03d}"
        connection.set_schema_to_public()
        old = Tenant.objects.filter(schema_name=slug.replace("-", "_")).first()
        if old is not None and keep:
            made.append(slug)
            continue
        if old is not None:
            vendor_remove(old)
        started = time.perf_counter()
        vendor = vendor_create(
            slug=slug, name=f"小型厂商 {i:03d}", admin_email=f"admin@{slug}.test"
        )
        connection.set_tenant(vendor.tenant)
        rng = random.Random(i)
        with transaction.atomic():
            catalog = catalog_generate(MINI, rng)
            partners = partners_generate(MINI, rng, catalog.lines)
            orders_generate(MINI, i, partners.ids, catalog.products)
        made.append(slug)
        # A session that created and filled many schemas holds their catalog entries, and every
        # later DDL statement's invalidations walk them: closing keeps each vendor as fast as
        # the first (a web request's connection lives at most CONN_MAX_AGE anyway).
        connection.close()
        if i % 20 == 0 or i == n:
            say(f"  {i} small vendors ({time.perf_counter() - started:.1f} s for the last)")
    connection.set_schema_to_public()
    return made
