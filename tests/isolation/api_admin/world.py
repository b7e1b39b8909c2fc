"""Vendor alpha's channel for the API matrix: two competing dealers, each with a row of every
resource the API serves, each owned by a different channel manager.

P1 (channel manager CM1) and P2 (CM2) are the actors' two sides: P1's key and CM1's key must
never reach a row of P2. Every row is made through the services the pages use.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from mdf.claims import InvoiceIn, claim_submit
from mdf.ledger import fund_allocate
from mdf.models import MdfActivityType, MdfFund, MdfRequest
from mdf.requests import request_approve, request_save, request_submit
from orders.inventory import stock_receive
from orders.ledger import payment_record
from orders.models import PaymentMethod, Stock, Warehouse
from partners.models import Partner, ProductLine
from prm.accounts.models import User
from prm.accounts.roles import Role
from prm.tenancy.selectors import tenant_today
from rebates.models import RebateAccrual, RebateProgram
from reports.forecast_selectors import current_cycle, cycle_months
from reports.forecast_services import forecast_open, forecast_save, forecast_submit
from tests.deal_registration.deals import dealer, network_line, register, shenzhen
from tests.factories import make_credit_code, make_fund, make_order, make_product, make_user
from tests.orders.mall import fund as fund_wallet
from tests.orders.test_pricing import make_list
from tests.rebates.test_engine import make_program

D = Decimal


@dataclass
class Side:
    """One dealer and everything it owns."""

    partner: Partner
    user: User  # its partner admin
    manager: User  # its channel manager
    rows: dict[str, int] = field(default_factory=dict)  # URL basename → the row's id


@dataclass
class World:
    admin: User
    p1: Side
    p2: Side
    # Rows that belong to no dealer, by URL basename: the catalog, stock, tier/region lists...
    shared: dict[str, list[int]]
    # The extra rows a write needs: P2's draft registration and draft fund request.
    p2_draft_deal: int
    p2_draft_request: int
    p2_product_b: int  # in P2's catalog only (product line L2)
    product_a: int  # in both dealers' catalogs (product line L1)
    p2_customer: str  # the customer of P2's submitted registration, and its credit code
    p2_credit_code: str
    today: str
    deal_body: dict[str, Any]  # a registration a partner's key may post
    fund_request_body: dict[str, Any]  # a fund request a partner's key may post


def _line(code: str, name: str) -> ProductLine:
    line, _created = ProductLine.objects.get_or_create(code=code, defaults={"name": name})
    return line


def _program(code: str, *, only: Partner | None = None) -> RebateProgram:
    program = make_program(code=code, starts_on=date(2025, 1, 1), ends_on=date(2099, 12, 31))
    if only is not None:
        program.partners.add(only)
    return program


def _accrual(program: RebateProgram, partner: Partner) -> RebateAccrual:
    return RebateAccrual.objects.create(
        program=program,
        partner=partner,
        period_start=date(2025, 1, 1),
        period_end=date(2025, 3, 31),
        basis=D("5000.00"),
        tier=program.bands.order_by("threshold_from").first(),
        uncapped_amount=D("100.00"),
        capped_amount=D("100.00"),
        amount=D("100.00"),
    )


def _fund() -> tuple[MdfFund, MdfActivityType]:
    fund = make_fund("iso-fund", "隔离市场费用")
    return fund, MdfActivityType.objects.create(code="iso-expo", name="展会")


def _fund_request(side: Side, fund: MdfFund, kind: MdfActivityType, title: str) -> MdfRequest:
    today = tenant_today()
    draft = MdfRequest(
        fund=fund, activity_type=kind, title=title, starts_on=today, ends_on=today, plan="参展"
    )
    return request_save(draft, [("展位", D("1000.00"))], user=side.user)


def _claimed(side: Side, fund: MdfFund, kind: MdfActivityType, invoice: str) -> None:
    asked = _fund_request(side, fund, kind, f"{side.partner.name} 展会")
    request_submit(asked, user=side.user)
    request_approve(asked, user=side.manager)
    claim = claim_submit(
        asked,
        [InvoiceIn(number=invoice, issued_on=tenant_today(), amount=D("900.00"), issuer="会展")],
        user=side.user,
    )
    side.rows.update({"mdf-request": asked.pk, "mdf-claim": claim.pk})


def _forecast(side: Side, line: ProductLine) -> None:
    month = cycle_months(current_cycle())[0]
    opened = forecast_open(partner=side.partner, cycle=current_cycle(), actor=side.user)
    forecast_save(forecast=opened, amounts={(line.pk, month): D("1000.00")}, actor=side.user)
    side.rows["forecast"] = forecast_submit(forecast=opened, actor=side.user).pk


def build_world() -> World:
    """Run in vendor alpha's schema."""
    admin = User.objects.get(email="admin@alpha.test")
    sides = []
    for n, name in ((1, "甲隔离科技有限公司"), (2, "乙隔离科技有限公司")):
        manager = make_user(Role.CHANNEL_MANAGER, full_name=f"渠道经理{n}")
        partner, user = dealer(name=name, channel_manager=manager)
        sides.append(Side(partner, user, manager, {"partner": partner.pk}))
    p1, p2 = sides

    l1, l2 = _line("iso-l1", "隔离线一"), _line("iso-l2", "隔离线二")
    p1.partner.product_lines.add(l1)
    p2.partner.product_lines.add(l1, l2)
    warehouse = Warehouse.objects.create(code="iso-wh", name="隔离仓", priority=1)
    product_a = make_product("100.00", product_line=l1, sku="ISO-A")
    product_b = make_product("200.00", product_line=l2, sku="ISO-B")
    for product in (product_a, product_b):
        stock_receive(product=product, warehouse=warehouse, quantity=50)
    p1.rows["order"] = make_order(p1.partner, (product_a, 1)).pk
    p2_order = make_order(p2.partner, (product_b, 1))
    p2.rows.update({"order": p2_order.pk, "order-line": p2_order.lines.get().pk})
    for side in sides:  # enough for the orders the matrix places
        fund_wallet(side.partner, prepaid="1000.00")

    for side in sides:
        side.rows["payment"] = payment_record(
            partner=side.partner,
            amount=D("10.00"),
            received_on=tenant_today(),
            method=PaymentMethod.BANK_TRANSFER,
            actor=admin,
        ).pk
    region_list = make_list("隔离区域价", (product_a, 1, "95.00"), region="上海")
    p1.rows["price-list"] = make_list("甲专享", (product_a, 1, "90.00"), partner=p1.partner).pk
    # P2's own price for product A: P1's key asking for P2's prices must never see 85.00.
    p2.rows["price-list"] = make_list(
        "乙专享", (product_a, 1, "85.00"), (product_b, 1, "180.00"), partner=p2.partner
    ).pk

    shenzhen()
    for side in sides:  # the line a partner's registration names must be one it may sell
        side.partner.product_lines.add(network_line())
    # Names far apart, so the duplicate check matches each customer to one registration only.
    customers = {
        1: ("杭州西湖电子有限公司", make_credit_code(7701)),
        2: ("深圳南山网络有限公司", make_credit_code(7702)),
    }
    for n, side in enumerate(sides, start=1):
        name, code = customers[n]
        side.rows["deal"] = register(side.user, customer_name=name, credit_code=code).pk
    p2_draft_deal = register(
        p2.user,
        submit=False,
        customer_name="武汉东湖光电有限公司",
        credit_code=make_credit_code(7709),
    ).pk

    everyone = _program("iso-all")
    only_p2 = _program("iso-p2", only=p2.partner)
    p1.rows.update(
        {"rebate-program": everyone.pk, "rebate-accrual": _accrual(everyone, p1.partner).pk}
    )
    p2.rows.update(
        {"rebate-program": only_p2.pk, "rebate-accrual": _accrual(only_p2, p2.partner).pk}
    )

    fund, kind = _fund()
    for n, side in enumerate(sides, start=1):
        fund_allocate(fund, side.partner, D("10000.00"))
        _claimed(side, fund, kind, f"ISO-INV-{n}")
        _forecast(side, l1)
    p2_draft_request = _fund_request(p2, fund, kind, "乙隔离草稿").pk

    stock = sorted(Stock.objects.filter(warehouse=warehouse).values_list("pk", flat=True))
    return World(
        admin=admin,
        p1=p1,
        p2=p2,
        shared={
            "product": [product_a.pk, product_b.pk],
            "stock": stock,
            "price-list": [region_list.pk],
        },
        p2_draft_deal=p2_draft_deal,
        p2_draft_request=p2_draft_request,
        p2_product_b=product_b.pk,
        product_a=product_a.pk,
        p2_customer=customers[2][0],
        p2_credit_code=customers[2][1],
        today=tenant_today().isoformat(),
        deal_body=_deal_body(),
        fund_request_body=_fund_request_body(),
    )


def _deal_body() -> dict[str, Any]:
    return {
        "customer_name": "成都锦江软件有限公司",
        "credit_code": make_credit_code(7719, region="440300"),
        "region": "440300",
        "industry": "manufacturing",
        "contact_name": "王经理",
        "title": "隔离网络项目",
        "product_line": "network",
        "estimated_amount": "50000.00",
        "expected_close_date": (tenant_today() + timedelta(days=60)).isoformat(),
    }


def _fund_request_body() -> dict[str, Any]:
    today = tenant_today().isoformat()
    return {
        "fund": "iso-fund",
        "activity_type": "iso-expo",
        "title": "隔离新展会",
        "starts_on": today,
        "ends_on": today,
        "plan": "参展",
        "lines": [{"description": "展位", "amount": "500.00"}],
    }
