"""A small ordering mall in vendor A: a dealer allowed to order, products in stock, money."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from orders.inventory import stock_receive
from orders.ledger import ledger_post
from orders.models import AccountKind, EntryKind, Product, Warehouse
from partners.models import Partner, ProductLine
from partners.onboarding.services import onboarding_complete_all
from prm.accounts.models import User
from prm.accounts.roles import Role
from tests.factories import make_partner, make_product, make_user


@dataclass
class Mall:
    partner: Partner
    buyer: User
    line: ProductLine
    warehouse: Warehouse
    lock: Product  # 899.00, stock 20
    camera: Product  # 259.00, stock 5, packs of 2, minimum 4


def dealer(line: ProductLine, *, credit_limit: str = "10000.00", **kw: Any) -> Partner:
    """An active dealer that finished onboarding and may sell `line`."""
    partner = make_partner(credit_limit=Decimal(credit_limit), **kw)
    onboarding_complete_all(partner=partner)
    partner.product_lines.add(line)
    return partner


def fund(partner: Partner, *, prepaid: str = "0", rebate: str = "0") -> None:
    for kind, amount in ((AccountKind.PREPAID, prepaid), (AccountKind.REBATE, rebate)):
        if Decimal(amount):
            ledger_post(
                partner=partner,
                kind=kind,
                amount=Decimal(amount),
                entry_kind=EntryKind.ADJUSTMENT,
                memo="test funds",
            )


def build_mall() -> Mall:
    line, _created = ProductLine.objects.get_or_create(code="t-mall", defaults={"name": "门锁"})
    warehouse = Warehouse.objects.create(code="t-sh", name="上海仓", priority=1)
    lock = make_product("899.00", product_line=line, sku="T-LK-100")
    camera = make_product(
        "259.00", product_line=line, sku="T-CAM-2K", pack_size=2, min_order_quantity=4
    )
    stock_receive(product=lock, warehouse=warehouse, quantity=20)
    stock_receive(product=camera, warehouse=warehouse, quantity=5)
    partner = dealer(line)
    buyer = make_user(Role.PARTNER_USER, partner=partner)
    return Mall(partner, buyer, line, warehouse, lock, camera)
