"""A small channel whose cockpit figures are worked out by hand in docs/cockpit.md.

Vendor A, Asia/Shanghai. Report month: November 2026 (previous: October 2026; a year earlier:
November 2025).

O1 east (上海) placed 2026-11-03 10:00: lock x2 = 1798.00; lock x1 shipped 11-05 10:00 (48 h).
O2 east placed 2026-10-20 09:00: cable x5 = 500.00.
O3 south (广东) placed 2026-11-10 09:00: lock x1 + cable x3 = 1199.00; cable x3 shipped
   11-30 23:30 (494.5 h).
O4 south placed 2025-11-15 09:00: lock x1 = 899.00.
O5 idle (上海) placed 2026-11-12: lock x1, cancelled.
Payments: east 1000.00 on 2026-11-20; south 500.00 on 2026-10-05.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from orders.ledger import payment_record
from orders.models import Allocation, Order, PaymentMethod, Product, Shipment
from orders.workflow import order_approve, order_cancel, order_ship
from partners.models import Partner, ProductLine
from reports.rollups import rollups_rebuild
from tests.factories import make_order, make_product
from tests.orders.mall import Mall, build_mall, dealer

SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(day: str, clock: str = "09:00") -> datetime:
    return datetime.fromisoformat(f"{day} {clock}").replace(tzinfo=SHANGHAI)


@dataclass
class Channel:
    mall: Mall
    cables: ProductLine
    cable: Product
    east: Partner
    south: Partner
    idle: Partner
    orders: dict[str, Order]


def _placed(partner: Partner, *lines: tuple[Product, int], on: datetime, admin: Any) -> Order:
    order = make_order(partner, *lines)
    order_approve(order=order, actor=admin)
    Order.objects.filter(pk=order.pk).update(created_at=on)
    order.refresh_from_db()
    return order


def _ship(order: Order, admin: Any, units: dict[Product, int], on: datetime) -> None:
    by_product = {line.product_id: line.pk for line in order.lines.all()}
    held = Allocation.objects.filter(order_line_id=by_product[next(iter(units)).pk]).first()
    assert held is not None
    shipment = order_ship(
        order=order,
        actor=admin,
        warehouse=held.stock.warehouse,
        carrier="顺丰",
        tracking_number=f"SF{order.pk}",
        quantities={by_product[p.pk]: n for p, n in units.items()},
    )
    Shipment.objects.filter(pk=shipment.pk).update(shipped_at=on)


def build_channel(admin: Any) -> Channel:
    mall = build_mall()
    cables, _ = ProductLine.objects.get_or_create(code="t-cable", defaults={"name": "线缆"})
    cable = make_product("100.00", product_line=cables, sku="T-CBL-1")
    east = dealer(mall.line, region="上海", credit_limit="0")
    south = dealer(mall.line, region="广东", credit_limit="0")
    idle = mall.partner  # 上海, like every test partner
    for p in (east, south, idle):
        p.product_lines.add(cables)
    o1 = _placed(east, (mall.lock, 2), on=at("2026-11-03", "10:00"), admin=admin)
    _ship(o1, admin, {mall.lock: 1}, at("2026-11-05", "10:00"))
    o2 = _placed(east, (cable, 5), on=at("2026-10-20"), admin=admin)
    o3 = _placed(south, (mall.lock, 1), (cable, 3), on=at("2026-11-10"), admin=admin)
    _ship(o3, admin, {cable: 3}, at("2026-11-30", "23:30"))
    o4 = _placed(south, (mall.lock, 1), on=at("2025-11-15"), admin=admin)
    o5 = make_order(idle, (mall.lock, 1))
    order_cancel(order=o5, actor=admin, reason="测试取消")
    Order.objects.filter(pk=o5.pk).update(created_at=at("2026-11-12"))
    payment_record(
        partner=east,
        amount=Decimal("1000.00"),
        received_on=date(2026, 11, 20),
        method=PaymentMethod.BANK_TRANSFER,
        actor=admin,
    )
    payment_record(
        partner=south,
        amount=Decimal("500.00"),
        received_on=date(2026, 10, 5),
        method=PaymentMethod.BANK_TRANSFER,
        actor=admin,
    )
    rollups_rebuild()
    orders = {"O1": o1, "O2": o2, "O3": o3, "O4": o4, "O5": o5}
    return Channel(mall, cables, cable, east, south, idle, orders)
