"""The cockpit's sell-through figures, against numbers worked out by hand, and against
orders.sellthrough_metrics' own rows on the same data.

June 2025 (Asia/Shanghai). Products: chip (line t-mall), router (line t-net). P1 and P2 are the
manager's, P3 another's.

* P1 ships: chip 50 on 05-31 23:30 (May: out), 40 on 06-01 00:10, 30 on 06-30 23:59; router 10
  on 06-15. Sells: chip 9 on 05-31 (out), 25 on 06-01, 14 on 06-30; router 4 on 06-10.
  Stock reports: May (the opening month) chip 20, router 6; June chip 31, router 8.
* P2 ships chip 60 on 06-10, sells 21 on 06-12; its only stock report is April's: chip 12
  (its latest: it is its channel stock; no May report, so no opening stock).
* P3 ships chip 500 on 06-05, sells 300, reports 999 for June: never counted for the manager.

June, read after it ended (window 06-01 … 06-30, 30 days):
  sell-in 40 + 30 + 10 + 60 = 140; sell-out 25 + 14 + 4 + 21 = 64; opening 20 + 6 = 26;
  channel stock 31 + 8 + 12 = 51; rate 64 / (26 + 140) = 0.385542… → 0.3855;
  inventory days 51 x 30 / 64 = 23.90625 → 23.9.
June, line t-mall only: sell-in 130, sell-out 60, opening 20, stock 43; rate 60 / 150 =
  0.4000; days 43 x 30 / 60 = 21.5.
June read on 06-20, before the 06-30 shipment (window 06-01 … 06-20, 20 days): sell-in
  40 + 10 + 60 = 110; sell-out 25 + 4 + 21 = 50; opening 26; stock 51 (June's report is dated
  06-01); rate 50 / 136 = 0.367647… → 0.3676; days 51 x 20 / 50 = 20.4.
"""

from __future__ import annotations

import datetime as dt
from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from orders.models import Product, Shipment, Warehouse
from orders.sellthrough import channel_stock_submit, sellout_record
from orders.sellthrough_metrics import sellthrough_rows
from orders.workflow import order_approve, order_ship
from partners.models import Partner, ProductLine
from partners.selectors import partners_visible_to
from prm.accounts.roles import Role
from reports.channel_figures import (
    SellThrough,
    sell_through,
    sell_through_rows,
    sell_through_sales,
    sell_through_shipments,
)
from reports.rollups import rollups_rebuild
from tests.factories import make_order, make_partner, make_product, make_user

from .conftest import local, month

pytestmark = pytest.mark.django_db

D = Decimal
JUNE = month(2025, 6)


class World:
    def __init__(self, manager: Any) -> None:
        # get_or_create: committed tests elsewhere (tests/orders/mall.py) leave "t-mall" behind.
        self.mall = ProductLine.objects.get_or_create(code="t-mall", defaults={"name": "门锁"})[0]
        self.net = ProductLine.objects.get_or_create(code="t-net", defaults={"name": "网络设备"})[0]
        self.chip = make_product("1.00", product_line=self.mall, sku="T-CHIP")
        self.router = make_product("1.00", product_line=self.net, sku="T-ROUTER")
        self.desk = make_user(Role.ORDER_DESK)
        self.p1 = self.partner(manager)
        self.p2 = self.partner(manager)
        self.p3 = self.partner(make_user(Role.CHANNEL_MANAGER))
        self.people = {p.pk: make_user(Role.PARTNER_USER, partner=p) for p in self.partners()}

    def partners(self) -> list[Partner]:
        return [self.p1, self.p2, self.p3]

    def partner(self, manager: Any) -> Partner:
        partner = make_partner(channel_manager=manager, region="上海")
        partner.product_lines.add(self.mall, self.net)
        return partner

    def ship(self, partner: Partner, product: Product, *shipments: tuple[int, dt.datetime]) -> None:
        order = make_order(partner, (product, sum(q for q, _at in shipments)))
        order_approve(order=order, actor=self.desk)
        line = order.lines.get()
        for quantity, at in shipments:
            shipment = order_ship(
                order=order,
                actor=self.desk,
                warehouse=Warehouse.objects.get(code="test-wh"),
                carrier="顺丰",
                tracking_number=f"SF{at:%Y%m%d%H%M}{partner.pk}",
                quantities={line.pk: quantity},
            )
            Shipment.objects.filter(pk=shipment.pk).update(shipped_at=at)

    def sell(self, partner: Partner, product: Product, day: date, quantity: int) -> None:
        sellout_record(
            partner=partner,
            product=product,
            sold_on=day,
            quantity=quantity,
            end_customer="终端客户",
            province="上海",
            user=self.people[partner.pk],
        )

    def stock(self, partner: Partner, period: date, quantities: dict[Product, int]) -> None:
        channel_stock_submit(
            partner=partner, period=period, quantities=quantities, user=self.people[partner.pk]
        )


@pytest.fixture
def world(vendor, manager) -> World:
    w = World(manager)
    w.ship(
        w.p1,
        w.chip,
        (50, local(2025, 5, 31, 23, 30)),
        (40, local(2025, 6, 1, 0, 10)),
        (30, local(2025, 6, 30, 23, 59)),
    )
    w.ship(w.p1, w.router, (10, local(2025, 6, 15, 10)))
    w.sell(w.p1, w.chip, date(2025, 5, 31), 9)
    w.sell(w.p1, w.chip, date(2025, 6, 1), 25)
    w.sell(w.p1, w.chip, date(2025, 6, 30), 14)
    w.sell(w.p1, w.router, date(2025, 6, 10), 4)
    w.stock(w.p1, date(2025, 5, 1), {w.chip: 20, w.router: 6})
    w.stock(w.p1, date(2025, 6, 1), {w.chip: 31, w.router: 8})
    w.ship(w.p2, w.chip, (60, local(2025, 6, 10, 10)))
    w.sell(w.p2, w.chip, date(2025, 6, 12), 21)
    w.stock(w.p2, date(2025, 4, 1), {w.chip: 12})
    w.ship(w.p3, w.chip, (500, local(2025, 6, 5, 10)))
    w.sell(w.p3, w.chip, date(2025, 6, 6), 300)
    w.stock(w.p3, date(2025, 6, 1), {w.chip: 999})
    rollups_rebuild()  # whole months of sell-in are read from the monthly rollup
    return w


def test_a_month_over_the_cockpits_partners(world, manager, django_assert_num_queries):
    partners = partners_visible_to(manager)

    with django_assert_num_queries(4):
        figure = sell_through(partners=partners, period=JUNE)

    assert figure == SellThrough(
        start=date(2025, 6, 1),
        as_of=date(2025, 6, 30),
        days=30,
        sell_in=140,
        sell_out=64,
        opening_stock=26,
        channel_stock=51,
        rate=D("0.3855"),
        inventory_days=D("23.9"),
    )


def test_a_product_line_and_the_outside_partner(world, manager):
    line = sell_through(
        partners=partners_visible_to(manager), period=JUNE, product_line_id=world.mall.pk
    )
    theirs = sell_through(partners=Partner.objects.filter(pk=world.p3.pk), period=JUNE)

    june = (date(2025, 6, 1), date(2025, 6, 30), 30)
    assert line == SellThrough(*june, 130, 60, 20, 43, D("0.4000"), D("21.5"))
    # 300 / 500 = 0.6; 999 x 30 / 300 = 99.9
    assert theirs == SellThrough(*june, 500, 300, 0, 999, D("0.6000"), D("99.9"))


def test_a_running_month_is_month_to_date(world, manager, monkeypatch):
    monkeypatch.setattr("reports.figures_stock.tenant_today", lambda: date(2025, 6, 20))
    # Read on 06-20 as it happened: the 06-30 shipment has not been made, so June's rollup row
    # holds the shipments up to today (a shipment is stamped when it is made).
    Shipment.objects.filter(shipped_at__gte=local(2025, 6, 21)).delete()
    rollups_rebuild()

    figure = sell_through(partners=partners_visible_to(manager), period=JUNE)

    assert figure == SellThrough(
        start=date(2025, 6, 1),
        as_of=date(2025, 6, 20),
        days=20,
        sell_in=110,
        sell_out=50,
        opening_stock=26,
        channel_stock=51,
        rate=D("0.3676"),
        inventory_days=D("20.4"),
    )


def test_a_month_not_started_and_a_reader_without_partners(
    world, manager, monkeypatch, django_assert_num_queries
):
    monkeypatch.setattr("reports.figures_stock.tenant_today", lambda: date(2025, 6, 20))

    with django_assert_num_queries(0):
        july = sell_through(partners=partners_visible_to(manager), period=month(2025, 7))
    nobody = sell_through(partners=Partner.objects.none(), period=JUNE)

    assert july == SellThrough(date(2025, 7, 1), date(2025, 6, 20), 0, 0, 0, 0, None, None, None)
    assert nobody == SellThrough(date(2025, 6, 1), date(2025, 6, 20), 20, 0, 0, 0, None, None, None)


@pytest.mark.parametrize("line", [None, "mall", "net"])
def test_the_totals_agree_with_the_orders_modules_rows(world, manager, line):
    """The same definitions as orders.sellthrough_metrics: its rows summed give the totals."""
    line_id = getattr(world, line).pk if line else None
    rows = sellthrough_rows(
        partner_ids=[world.p1.pk, world.p2.pk], product_line=line_id, as_of=JUNE.last_day, days=30
    )

    figure = sell_through(
        partners=partners_visible_to(manager), period=JUNE, product_line_id=line_id
    )

    reported = [r.channel_stock for r in rows if r.channel_stock is not None]
    assert (
        figure.sell_in,
        figure.sell_out,
        figure.opening_stock,
        figure.channel_stock,
    ) == (
        sum(r.sell_in for r in rows),
        sum(r.sell_out for r in rows),
        sum(r.opening_stock for r in rows),
        sum(reported) if reported else None,
    )
    assert rows  # the comparison is not between two empty sets


def test_the_figures_drill_down_to_their_rows(world, manager):
    partners = partners_visible_to(manager)

    sales = sell_through_sales(partners=partners, period=JUNE)
    shipped = sell_through_shipments(partners=partners, period=JUNE)
    rows = sell_through_rows(partners=partners, period=JUNE, product_line_id=world.mall.pk)

    assert sorted(s.quantity for s in sales) == [4, 14, 21, 25]
    assert sorted(s.quantity for s in shipped) == [10, 30, 40, 60]
    assert [(r.partner, r.product.sku, r.sell_in, r.sell_out) for r in rows] == sorted(
        [(world.p1, "T-CHIP", 70, 39), (world.p2, "T-CHIP", 60, 21)],
        key=lambda row: (row[0].name, row[0].pk),
    )
