"""The demo vendor's rebate programs: quarterly collections (retroactive) and smart-lock orders
(marginal), computed over the demo's orders and payments, with the last quarter settled; the
collections program also pays a bonus per deal won with a new customer."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError

from partners.models import ProductLine
from prm.accounts.models import User
from prm.tenancy.selectors import tenant_today

from .engine import recalculate_all
from .models import RebateAccrual, RebateProgram, RebateTier
from .programs import program_activate
from .settlement import settle


def _program(
    admin: User, bands: list[tuple[str, str | None, str]], **fields: object
) -> RebateProgram:
    program = RebateProgram.objects.create(created_by=admin, **fields)
    for low, high, rate in bands:
        RebateTier.objects.create(
            program=program,
            threshold_from=Decimal(low),
            threshold_to=Decimal(high) if high else None,
            rate=Decimal(rate),
        )
    return program_activate(program, actor=admin, reason="年度渠道政策 / channel policy")


def seed(*, admin: User, finance: User) -> None:
    today = tenant_today()
    year_start = date(today.year - 1, 1, 1)
    _program(
        admin,
        [("10000", "30000", "1"), ("30000", "60000", "2"), ("60000", None, "3")],
        code="collect-q",
        name="季度回款返利",
        name_en="Quarterly collections rebate",
        period_type="quarter",
        starts_on=year_start,
        ends_on=date(today.year + 1, 12, 31),
        basis="collected",
        tier_mode="retroactive",
        new_customer_bonus=Decimal("500.00"),
    )
    locks = _program(
        admin,
        [("0", "20000", "1"), ("20000", None, "2.5")],
        code="locks-m",
        name="智能门锁订货返利",
        name_en="Smart-lock ordering rebate",
        period_type="month",
        starts_on=year_start,
        ends_on=date(today.year + 1, 12, 31),
        basis="ordered",
        tier_mode="marginal",
        partner_cap=Decimal("2000.00"),
    )
    locks.product_lines.set(ProductLine.objects.filter(code="locks"))
    recalculate_all()
    # Finance settled what has ended, except the last month (so one stays to settle).
    for accrual in RebateAccrual.objects.filter(period_end__lt=today, amount__gt=0).order_by(
        "period_end"
    )[:12]:
        try:
            settle(accrual, actor=finance, note="季度结算 / settled")
        except ValidationError:
            continue
