"""A small channel that forecasts: three partners in two areas, two product lines, and a
clock for the forecast cycle (`clock["day"]`), which starts at the vendor's real today so deal
registrations (which refuse past close dates) can close in the forecast months.

    Shanghai 上海 (East, manager `east`): routers and switches
    Zhejiang 浙江 (East, manager `east`): routers and switches
    Beijing  北京 (North, manager `north`): routers only
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from deal_registration.registrations import registration_reject
from orders.models import Order, Product
from orders.workflow import order_approve
from partners.models import Partner, ProductLine
from prm.accounts.models import User
from prm.accounts.roles import Role
from prm.tenancy.selectors import tenant_today
from reports.forecast_selectors import cycle_months
from reports.forecast_services import (
    forecast_adjust,
    forecast_commit,
    forecast_open,
    forecast_save,
    forecast_submit,
)
from reports.models import Forecast
from reports.periods import add_months
from tests.deal_registration.deals import dealer, register
from tests.factories import make_order, make_product, make_user

D = Decimal
SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture(autouse=True)
def clock(monkeypatch: Any, in_a: Any) -> dict[str, date]:
    """The forecasts' "today"; move `clock["day"]` to let months end."""
    day = {"day": tenant_today()}
    monkeypatch.setattr("reports.forecast_selectors.tenant_today", lambda: day["day"])
    return day


@dataclass
class World:
    cycle: date
    months: list[date]
    routers: ProductLine
    switches: ProductLine
    router: Product  # 1000.00
    switch: Product  # 250.00
    east: User  # channel manager of Shanghai and Zhejiang
    north: User  # channel manager of Beijing
    shanghai: Partner
    zhejiang: Partner
    beijing: Partner
    users: dict[int, User]  # each partner's admin, by partner id

    def user(self, partner: Partner) -> User:
        return self.users[partner.pk]


def _line(code: str, zh: str, en: str) -> ProductLine:
    line, _created = ProductLine.objects.get_or_create(
        code=code, defaults={"name": zh, "name_en": en}
    )
    return line


@pytest.fixture
def world(clock: dict[str, date]) -> World:
    routers = _line("f-routers", "路由器", "Routers")
    switches = _line("f-switches", "交换机", "Switches")
    east = make_user(Role.CHANNEL_MANAGER, full_name="华东经理")
    north = make_user(Role.CHANNEL_MANAGER, full_name="华北经理")
    users: dict[int, User] = {}

    def partner(name: str, region: str, manager: User, *lines: ProductLine) -> Partner:
        found, admin = dealer(name=name, region=region, channel_manager=manager)
        found.product_lines.add(*lines)
        users[found.pk] = admin
        return found

    cycle = clock["day"].replace(day=1)
    return World(
        cycle=cycle,
        months=cycle_months(cycle),
        routers=routers,
        switches=switches,
        router=make_product("1000.00", product_line=routers, sku="F-RTR"),
        switch=make_product("250.00", product_line=switches, sku="F-SW"),
        east=east,
        north=north,
        shanghai=partner("上海申通网络有限公司", "上海", east, routers, switches),
        zhejiang=partner("浙江之江科技有限公司", "浙江省", east, routers, switches),
        beijing=partner("北京燕山信息有限公司", "北京", north, routers),
        users=users,
    )


def figures(world: World, **rows: tuple[str, str, str]) -> dict[tuple[int, date], Decimal]:
    """`routers=("1000.00", "2000.00", "0")`: a product line's figures for the three months."""
    lines = {"routers": world.routers, "switches": world.switches}
    return {
        (lines[name].pk, month): D(value)
        for name, values in rows.items()
        for month, value in zip(world.months, values, strict=True)
    }


def forecast(
    world: World, partner: Partner, *, submit: bool = True, **rows: tuple[str, str, str]
) -> Forecast:
    """The partner's forecast of the world's cycle, filled in (and submitted) by its admin."""
    user = world.user(partner)
    opened = forecast_open(partner=partner, cycle=world.cycle, actor=user)
    forecast_save(forecast=opened, amounts=figures(world, **rows), actor=user)
    if submit:
        forecast_submit(forecast=opened, actor=user)
    opened.refresh_from_db()
    return opened


def placed(partner: Partner, *lines: tuple[Product, int], on: date, admin: User) -> Order:
    """A counted (approved) order, back-dated to 10:00 on `on` in Shanghai."""
    order = make_order(partner, *lines)
    order_approve(order=order, actor=admin)
    moment = datetime(on.year, on.month, on.day, 10, 0, tzinfo=SHANGHAI)
    Order.objects.filter(pk=order.pk).update(created_at=moment)
    return order


@dataclass
class Forecasting:
    """The world's cycle, forecast (see `forecasting`)."""

    world: World
    shanghai: Forecast  # committed
    zhejiang: Forecast  # submitted, routers of the first month adjusted 800.00 → 1200.00
    beijing: Forecast  # submitted
    straggler: Partner  # 上海 too, still in draft: counts nowhere
    draft: Forecast


@pytest.fixture
def forecasting(world: World) -> Forecasting:
    """Figures per month M1, M2, M3 (hand-computed totals in test_rollup.py):

        Shanghai routers 1000.00 2000.00 3000.00   switches 500.00 500.00 0
        Zhejiang routers  800.00    0       0      switches 200.00 300.00 400.00
        Beijing  routers 1500.50 1500.25    0

    Open deal registrations (weighted = amount x stage probability, half-up to the cent):
        Shanghai routers M1 proposal 10000.00 → 5000.00; qualification 12345.67 → 1234.57
        Zhejiang switches M2 needs analysis 1000.02 → 250.01
        Beijing routers M2 negotiation 3333.33 → 2500.00
    and deals that must not count: rejected, a draft, closing after M3, of the straggler.
    """
    m1, m2, m3 = world.months
    shanghai = forecast(
        world,
        world.shanghai,
        routers=("1000.00", "2000.00", "3000.00"),
        switches=("500.00", "500.00", "0"),
    )
    forecast_commit(forecast=shanghai, actor=world.east)
    zhejiang = forecast(
        world,
        world.zhejiang,
        routers=("800.00", "0", "0"),
        switches=("200.00", "300.00", "400.00"),
    )
    forecast_adjust(
        line=zhejiang.lines.get(product_line=world.routers, month=m1),
        amount=D("1200.00"),
        note="大客户项目已确认",
        actor=world.east,
    )
    beijing = forecast(world, world.beijing, routers=("1500.50", "1500.25", "0"))
    straggler, straggler_admin = dealer(
        name="上海落后贸易有限公司", region="上海", channel_manager=world.east
    )
    straggler.product_lines.add(world.routers)
    world.users[straggler.pk] = straggler_admin
    draft = forecast(world, straggler, submit=False, routers=("99999.00", "0", "0"))

    def deal(
        partner: Partner,
        name: str,
        line: ProductLine,
        stage: str,
        amount: str,
        close: date,
        **kw: Any,
    ) -> Any:
        return register(
            world.user(partner),
            customer_name=name,
            product_line=line,
            stage=stage,
            estimated_amount=D(amount),
            expected_close_date=close,
            **kw,
        )

    deal(
        world.shanghai,
        "上海甲方一有限公司",
        world.routers,
        "proposal",
        "10000.00",
        m1.replace(day=15),
    )
    deal(
        world.shanghai,
        "上海甲方二有限公司",
        world.routers,
        "qualification",
        "12345.67",
        m1.replace(day=28),
    )
    deal(
        world.shanghai, "上海甲方三有限公司", world.routers, "proposal", "6000.00", m1, submit=False
    )
    deal(
        world.zhejiang,
        "浙江乙方一有限公司",
        world.switches,
        "needs_analysis",
        "1000.02",
        m2.replace(day=3),
    )
    registration_reject(
        deal(world.zhejiang, "浙江乙方二有限公司", world.routers, "proposal", "8000.00", m3),
        actor=world.east,
        reason="重复报备",
    )
    deal(
        world.beijing,
        "北京丙方一有限公司",
        world.routers,
        "negotiation",
        "3333.33",
        m2.replace(day=9),
    )
    deal(
        world.beijing, "北京丙方二有限公司", world.routers, "proposal", "7000.00", add_months(m3, 1)
    )
    deal(straggler, "上海丁方一有限公司", world.routers, "proposal", "4000.00", m1)
    return Forecasting(world, shanghai, zhejiang, beijing, straggler, draft)
