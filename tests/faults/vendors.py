"""Vendors of a fault test's own, whose data is committed (the app under test runs in other
processes), dropped at the end. A shop: a dealer that may order, a product in deep stock, money
to pay with, a vendor admin.

`python -m tests.faults.vendors <slug>` builds a shop in whatever database the environment's
settings name (a PostgreSQL server of the test's own) and prints it as JSON.
"""

from __future__ import annotations

import json
import sys
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING

from django.db import connection

from tests.vendors import vendor_drop

if TYPE_CHECKING:
    from prm.tenancy.models import Tenant

PASSWORD = "pass-12345-word"  # tests.factories.make_user's


__all__ = ["PASSWORD", "Shop", "shop_build", "vendor_drop", "vendor_new"]


@dataclass(frozen=True)
class Shop:
    slug: str
    host: str
    buyer: str  # the dealer's user
    admin: str  # a vendor admin
    partner: int
    product: int


def vendor_new(slug: str) -> Tenant:
    """A new vendor `slug`, any old one dropped first; the connection is left in public."""
    from prm.tenancy.services import vendor_create

    vendor_drop(slug)
    created = vendor_create(slug=slug, name=f"{slug} Electronics", admin_email=f"first@{slug}.test")
    return created.tenant


def shop_build(slug: str) -> Shop:
    """A new vendor `slug` with a shop; the connection is left in public."""
    from orders.inventory import stock_receive
    from orders.models import Warehouse
    from partners.models import ProductLine
    from prm.accounts.roles import Role
    from tests.factories import make_product, make_user
    from tests.orders.mall import dealer, fund

    tenant = vendor_new(slug)
    connection.set_tenant(tenant)
    try:
        line = ProductLine.objects.create(code="faults", name="门锁")
        warehouse = Warehouse.objects.create(code="faults", name="上海仓", priority=1)
        product = make_product("899.00", product_line=line, sku="F-LK-100")
        stock_receive(product=product, warehouse=warehouse, quantity=10_000)
        partner = dealer(line, credit_limit="0.00")
        fund(partner, prepaid="9000000.00")
        buyer = make_user(Role.PARTNER_USER, partner=partner, email=f"buyer@{slug}.test")
        admin = make_user(Role.ADMIN, email=f"admin@{slug}.test")
        host = tenant.domains.get(is_primary=True).domain
        return Shop(slug, host, buyer.email, admin.email, partner.pk, product.pk)
    finally:
        connection.set_schema_to_public()


if __name__ == "__main__":
    import django

    django.setup()
    print(json.dumps(asdict(shop_build(sys.argv[1]))))
