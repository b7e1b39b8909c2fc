"""A partner with two years of orders, quarterly targets and something on every card, in
vendor A, seen on 2026-05-20 (the second quarter).

Orders (1,000.00 a unit), in the vendor's time zone (Asia/Shanghai):

| placed | units | counted | month |
|---|---|---|---|
| 2025-01-15 | 2 | yes | 2025-01: 2,000.00 |
| 2025-02-10 | 3 | yes | 2025-02: 3,000.00 |
| 2025-03-03 | 5 | cancelled | |
| 2025-05-05 | 2 | yes | 2025-05: 2,000.00 |
| 2025-11-20 | 4 | yes | 2025-11: 4,000.00 |
| 2026-01-10 | 3 | yes | 2026-01: 4,000.00 with the next |
| 2026-01-31 23:30 | 1 | yes | |
| 2026-02-14 | 2 | yes | 2026-02: 2,000.00 |
| 2026-02-20 | 9 | rejected | |
| 2026-04-01 00:30 | 5 | yes | 2026-04 (31 March in UTC): 5,000.00 |
| 2026-05-18 | 1 | yes | 2026-05: 1,000.00 |
| 2026-05-19 | 6 | submitted, not yet approved | |

Another partner ordered 7 units on 2026-01-05 (7,000.00), none of which is ours.
Targets 2026: Q1 5,500.00, Q2 9,000.00, Q3 8,000.00, Q4 none (2025 Q4 has one: 6,000.00).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from types import SimpleNamespace
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from mdf.ledger import fund_allocate, fund_move
from mdf.models import FundEntryKind, FundStatus, MdfAllocation, MdfFund
from orders.models import Order, OrderStatus, Product
from orders.workflow import order_cancel, order_reject
from partners.academy.models import Certificate
from partners.models import Partner, Tier
from partners.programs.models import Metric, ScorecardCriterion
from prm.accounts.roles import Role
from rebates.models import RebateAccrual, RebateProgram, RebateTier
from reports.models import SalesTarget
from reports.rollups import rollups_rebuild
from tests.factories import make_order, make_partner, make_product, make_user
from tests.mdf.test_ledger import make_fund
from tests.partners.academy.builders import certify, make_course, make_path

D = Decimal
TODAY = date(2026, 5, 20)
SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture(autouse=True)
def today(monkeypatch: pytest.MonkeyPatch) -> date:
    """The pages, the document and the academy all read the vendor's today: pin it."""
    for where in (
        "reports.scoreboard_views.tenant_today",
        "reports.scoreboard_document.tenant_today",
        "partners.academy.dates.today",
    ):
        monkeypatch.setattr(where, lambda: TODAY)
    return TODAY


def local(*args: int) -> datetime:
    return datetime(*args, tzinfo=SHANGHAI)


def bought(partner: Partner, product: Product, units: int, at: datetime, **move: Any) -> Order:
    """An order checked out like a dealer's, approved (or moved as `move` says) and
    back-dated to `at`."""
    order = make_order(partner, (product, units))
    assert order.total == D("1000.00") * units
    if "cancel" in move:
        order_cancel(order=order, actor=move["cancel"], reason="客户取消")
    elif "reject" in move:
        order_reject(order=order, actor=move["reject"], reason="价格错误")
    status = Order.objects.get(pk=order.pk).status
    if status == OrderStatus.SUBMITTED and not move.get("leave_submitted"):
        status = OrderStatus.APPROVED
    Order.objects.filter(pk=order.pk).update(created_at=at, status=status)
    return order


@pytest.fixture
def sales(in_a: Any, vendor_admin: Any) -> SimpleNamespace:
    manager = make_user(Role.CHANNEL_MANAGER)
    mine = make_partner(
        name="华东智能科技有限公司", name_en="East China Smart Tech", channel_manager=manager
    )
    theirs = make_partner(name="西湖安防设备有限公司")
    product = make_product("1000.00")
    for units, at, move in [
        (2, local(2025, 1, 15, 10), {}),
        (3, local(2025, 2, 10, 10), {}),
        (5, local(2025, 3, 3, 10), {"cancel": vendor_admin}),
        (2, local(2025, 5, 5, 10), {}),
        (4, local(2025, 11, 20, 10), {}),
        (3, local(2026, 1, 10, 10), {}),
        (1, local(2026, 1, 31, 23, 30), {}),
        (2, local(2026, 2, 14, 10), {}),
        (9, local(2026, 2, 20, 10), {"reject": vendor_admin}),
        (5, local(2026, 4, 1, 0, 30), {}),
        (1, local(2026, 5, 18, 10), {}),
        (6, local(2026, 5, 19, 10), {"leave_submitted": True}),
    ]:
        bought(mine, product, units, at, **move)
    bought(theirs, product, 7, local(2026, 1, 5, 10))
    for year, quarter, amount in [(2026, 1, "5500.00"), (2026, 2, "9000.00"), (2026, 3, "8000.00")]:
        SalesTarget.objects.create(partner=mine, year=year, quarter=quarter, amount=D(amount))
    SalesTarget.objects.create(partner=mine, year=2025, quarter=4, amount=D("6000.00"))
    SalesTarget.objects.create(partner=theirs, year=2026, quarter=2, amount=D("1.00"))
    rollups_rebuild()
    return SimpleNamespace(
        mine=mine,
        theirs=theirs,
        manager=manager,
        other_manager=make_user(Role.CHANNEL_MANAGER),
        dealer=make_user(Role.PARTNER_ADMIN, partner=mine, full_name="王经理"),
        clerk=make_user(Role.PARTNER_USER, partner=mine, full_name="李销售"),
        stranger=make_user(Role.PARTNER_ADMIN, partner=theirs),
        product=product,
    )


def _rebate_program(mine: Partner, theirs: Partner) -> RebateProgram:
    """Quarterly purchases: 3% from 500,000.00, 5% (retroactive) from 1,000,000.00; this
    quarter's stored accrual has a basis of 600,000.00."""
    program = RebateProgram.objects.create(
        code="q-buy",
        name="季度进货返利",
        name_en="Quarterly purchase rebate",
        period_type="quarter",
        starts_on=date(2026, 1, 1),
        ends_on=date(2026, 12, 31),
        basis="ordered",
        tier_mode="retroactive",
        status="active",
    )
    low = RebateTier.objects.create(
        program=program, threshold_from=D("500000"), threshold_to=D("1000000"), rate=D("3")
    )
    RebateTier.objects.create(program=program, threshold_from=D("1000000"), rate=D("5"))
    for partner, basis, tier in [(mine, "600000.00", low), (theirs, "50.00", None)]:
        RebateAccrual.objects.create(
            program=program,
            partner=partner,
            period_start=date(2026, 4, 1),
            period_end=date(2026, 6, 30),
            basis=D(basis),
            tier=tier,
            uncapped_amount=D(basis) * D("0.03"),
            amount=D(basis) * D("0.03"),
        )
    return program


def _funds(mine: Partner, theirs: Partner) -> None:
    """10,000.00 of an open fund, 2,500.00 of it reserved; a closed fund's money no longer
    counts; the other partner's allocation is its own."""
    fund = make_fund()
    fund_allocate(fund, mine, D("10000.00"))
    fund_allocate(fund, theirs, D("5000.00"))
    fund_move(MdfAllocation.objects.get(fund=fund, partner=mine), FundEntryKind.RESERVE, D("2500"))
    closed = make_fund(code="mdf-2025")
    fund_allocate(closed, mine, D("3000.00"))
    MdfFund.objects.filter(pk=closed.pk).update(status=FundStatus.CLOSED)


def _academy(sales: SimpleNamespace) -> SimpleNamespace:
    """One required course for every partner user: the dealer holds it (expiring in 10 days),
    a colleague too (40 days), the clerk not yet. A former colleague's certificate, and the
    other partner's, expire soon too but are not ours to worry about."""
    course = make_course(title="安防基础", title_en="Security basics")
    make_path(course)
    colleague = make_user(Role.PARTNER_USER, partner=sales.mine, full_name="赵工程师")
    leaver = make_user(Role.PARTNER_USER, partner=sales.mine, full_name="钱离职")
    soon = certify(sales.dealer, course)
    later = certify(colleague, course)
    gone = certify(leaver, course)
    outside = certify(sales.stranger, course)
    Certificate.objects.filter(pk__in=[soon.pk, gone.pk, outside.pk]).update(
        expires_on=TODAY + timedelta(days=10)
    )
    Certificate.objects.filter(pk=later.pk).update(expires_on=TODAY + timedelta(days=40))
    type(leaver).objects.filter(pk=leaver.pk).update(is_active=False)
    return SimpleNamespace(course=course, colleague=colleague, soon=soon)


def _program() -> None:
    """Rolling purchases over 365 days, target 20,000.00, the only criterion; tiers at 0, 40,
    65 and 85 points."""
    for code, zh, en, rank, minimum in [
        ("t-platinum", "铂金", "Platinum", 40, "85"),
        ("t-gold", "金牌", "Gold", 30, "65"),
        ("t-silver", "银牌", "Silver", 20, "40"),
        ("t-registered", "注册", "Registered", 10, "0"),
    ]:
        Tier.objects.create(code=code, name=zh, name_en=en, rank=rank, min_score=D(minimum))
    ScorecardCriterion.objects.create(
        metric=Metric.ROLLING_PURCHASES, target=D("20000"), weight=D("100"), window_days=365
    )


@pytest.fixture
def world(sales: SimpleNamespace) -> SimpleNamespace:
    """`sales` with every card filled: rebates, funds, certification and the tier program."""
    sales.rebate = _rebate_program(sales.mine, sales.theirs)
    _funds(sales.mine, sales.theirs)
    sales.academy = _academy(sales)
    _program()
    Partner.objects.filter(pk=sales.mine.pk).update(tier=Tier.objects.get(code="t-silver"))
    sales.mine.refresh_from_db()
    return sales
