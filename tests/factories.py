"""Small builders for test data; each goes through the same services the app uses."""

from __future__ import annotations

import itertools
from datetime import timedelta
from decimal import Decimal
from typing import Any

from mdf.models import AllocationMode, MdfFund
from orders.checkout import CheckoutLine, checkout
from orders.inventory import stock_available, stock_receive
from orders.ledger import ledger_post
from orders.models import AccountKind, EntryKind, Order, Product, Warehouse
from orders.promotions import quote_build
from partners.models import Partner, PartnerStatus, ProductLine
from partners.onboarding.services import onboarding_complete_all
from partners.services import partner_create, partner_set_status
from prm.accounts.models import User
from prm.accounts.roles import Role
from prm.accounts.services import user_create
from prm.tenancy.selectors import tenant_today

_seq = itertools.count(1)


def make_user(role: Role = Role.ADMIN, *, partner: Partner | None = None, **kw: Any) -> User:
    n = next(_seq)
    return user_create(
        email=kw.pop("email", f"user{n}@example.test"),
        full_name=kw.pop("full_name", f"用户{n}"),
        role=role,
        partner=partner,
        password=kw.pop("password", "pass-12345-word"),
        **kw,
    )


def make_partner(*, status: str = PartnerStatus.ACTIVE, **kw: Any) -> Partner:
    n = next(_seq)
    partner = partner_create(
        name=kw.pop("name", f"测试伙伴{n}有限公司"), region=kw.pop("region", "上海"), **kw
    )
    if status != PartnerStatus.APPLIED:
        partner_set_status(partner=partner, status=PartnerStatus.ACTIVE)
    if status not in (PartnerStatus.APPLIED, PartnerStatus.ACTIVE):
        partner_set_status(partner=partner, status=status)
    partner.refresh_from_db()
    return partner


def make_product(price: str = "100.00", **kw: Any) -> Product:
    n = next(_seq)
    return Product.objects.create(
        sku=kw.pop("sku", f"SKU-{n}"),
        name=kw.pop("name", f"产品{n}"),
        product_line=kw.pop("product_line", None) or _test_line(),
        list_price=Decimal(price),
        **kw,
    )


def _test_line() -> ProductLine:
    line, _created = ProductLine.objects.get_or_create(code="test-line", defaults={"name": "测试"})
    return line


def make_order(
    partner: Partner, *lines: tuple[Product, int], actor: Any = None, onboarded: bool = True
) -> Order:
    """Check out `lines` for `partner` as a settled dealer would: onboarded, authorized for the
    products' lines, with the stock there and the money to pay. Tests of those rules call
    `checkout` themselves (or pass onboarded=False for the onboarding gates)."""
    if onboarded and partner.status == PartnerStatus.ACTIVE:
        onboarding_complete_all(partner=partner)
    warehouse, _created = Warehouse.objects.get_or_create(
        code="test-wh", defaults={"name": "测试仓"}
    )
    for product, quantity in lines:
        partner.product_lines.add(product.product_line)
        short = quantity - stock_available([product.pk]).get(product.pk, 0)
        if short > 0:
            stock_receive(product=product, warehouse=warehouse, quantity=short)
    total = quote_build(partner=partner, items=list(lines)).total if lines else 0
    if total:
        ledger_post(
            partner=partner,
            kind=AccountKind.PREPAID,
            amount=total,
            entry_kind=EntryKind.ADJUSTMENT,
            memo="test funds",
        )
    return checkout(partner=partner, lines=[CheckoutLine(p, q) for p, q in lines], actor=actor)


def make_credit_code(n: int, *, region: str = "310115") -> str:
    """A valid unified social credit code, distinct for each n."""
    from partners.credit_code import check_character

    first17 = f"91{region}MA{n:07d}"
    return first17 + check_character(first17)


def make_fund(code: str, name: str, *, budget: str = "100000.00") -> MdfFund:
    """An active fund open from a month ago, ¥10,000 to each partner it is allocated to."""
    today = tenant_today()
    return MdfFund.objects.create(
        code=code,
        name=name,
        starts_on=today - timedelta(days=30),
        ends_on=today + timedelta(days=60),
        expires_on=today + timedelta(days=120),
        budget=Decimal(budget),
        allocation_mode=AllocationMode.FIXED,
        fixed_amount=Decimal("10000.00"),
        status="active",
    )
