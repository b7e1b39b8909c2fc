"""Demo: two years of order history, so the cockpit has a trend, a year-on-year comparison and a
scoreboard with last year's months.

Vendors moving to the PRM bring their history from the ERP; this seeds it the way such an import
lands: completed orders with their lines, one shipment each and the payments that settled them,
written directly (no stock moves, no wallet entries: the money and goods moved in the old
system). Numbers start with HIS- so nobody mistakes them for orders placed here.
"""

from __future__ import annotations

import random
from datetime import datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal

from orders.models import (
    Order,
    OrderLine,
    OrderStatus,
    Payment,
    PaymentMethod,
    Product,
    Shipment,
    ShipmentLine,
    Warehouse,
)
from partners.models import Partner
from prm.tenancy.selectors import tenant_today, tenant_zone

from .periods import add_months
from .rollups import rollups_rebuild

MONTHS = 20  # from 20 months ago up to the month before the live demo orders begin
LIVE_MONTHS = 5
CENT = Decimal("0.01")


def seed(*, partners: list[Partner], rng: random.Random) -> int:
    """History for `partners` (those that ordered); returns the number of orders written."""
    products = list(Product.objects.exclude(product_line=None).order_by("pk"))
    warehouse = Warehouse.objects.order_by("pk").first()
    if not products or warehouse is None or not partners:
        return 0
    today = tenant_today()
    zone = tenant_zone()
    first = add_months(today.replace(day=1), -MONTHS)
    written = 0
    for partner in partners:
        allowed = [
            p for p in products if partner.product_lines.filter(pk=p.product_line_id).exists()
        ]
        if not allowed:
            continue
        size = rng.uniform(0.6, 1.6)
        for index in range(MONTHS - LIVE_MONTHS):
            month = add_months(first, index)
            # Busier before Chinese New Year and in the autumn, as security installers are.
            season = 1.3 if month.month in (1, 9, 10, 11, 12) else 1.0
            for _ in range(rng.randint(1, 3)):
                day = month + timedelta(days=rng.randint(0, 27))
                placed = datetime.combine(day, time(rng.randint(9, 17), rng.randint(0, 59)), zone)
                picks = rng.sample(allowed, min(len(allowed), rng.randint(1, 3)))
                lines = [(p, max(1, round(rng.randint(2, 12) * size * season))) for p in picks]
                written += _order(partner, lines, placed, warehouse, written)
    rollups_rebuild()
    return written


def _order(
    partner: Partner,
    lines: list[tuple[Product, int]],
    placed: datetime,
    warehouse: Warehouse,
    n: int,
) -> int:
    priced = [
        (p, q, (p.list_price * Decimal("0.88")).quantize(CENT, rounding=ROUND_HALF_UP))
        for p, q in lines
    ]
    total = sum((price * q for _p, q, price in priced), Decimal("0"))
    order = Order.objects.create(
        number=f"HIS-{placed:%Y%m}-{n + 1:05d}",
        partner=partner,
        status=OrderStatus.COMPLETED,
        currency="CNY",
        subtotal=total,
        total=total,
        paid_credit=total,
        note="历史订单（ERP 导入）/ order history imported from the ERP",
    )
    Order.objects.filter(pk=order.pk).update(
        created_at=placed, received_at=placed + timedelta(days=5)
    )
    created = OrderLine.objects.bulk_create(
        [
            OrderLine(
                order=order,
                product=p,
                quantity=q,
                list_price=p.list_price,
                unit_price=price,
                price_rule="历史价格 / historical price",
                line_total=price * q,
                shipped_quantity=q,
            )
            for p, q, price in priced
        ]
    )
    shipment = Shipment.objects.create(
        number=f"HIS-S-{order.pk}",
        order=order,
        warehouse=warehouse,
        carrier="顺丰速运",
        tracking_number=f"SF{order.pk:012d}",
    )
    Shipment.objects.filter(pk=shipment.pk).update(shipped_at=placed + timedelta(days=2))
    ShipmentLine.objects.bulk_create(
        [
            ShipmentLine(shipment=shipment, order_line=line, quantity=line.quantity)
            for line in created
        ]
    )
    Payment.objects.create(
        number=f"HIS-P-{order.pk}",
        partner=partner,
        amount=total,
        method=PaymentMethod.BANK_TRANSFER,
        received_on=(placed + timedelta(days=30)).date(),
        reference=order.number,
        source="erp",
    )
    return 1
