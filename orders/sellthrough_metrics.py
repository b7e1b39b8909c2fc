"""Sell-through metrics (动销率) the vendor reads, from shipments, sell-out and stock reports.

Metrics (per partner and product, one window)
---------------------------------------------
The window is the `days` days ending with `as_of`, both included, in the vendor's time zone:
``start = as_of - (days - 1)``.

* **sell-in**: units the vendor shipped to the partner in the window: the sum of
  `ShipmentLine.quantity` whose shipment's `shipped_at` falls in the window (returns are not
  netted).
* **sell-out**: the sum of `SellOut.quantity` with `sold_on` in the window.
* **opening stock**: what the partner reported for the month *before the month in which the
  window starts* (its stock at that month's end); 0 when it reported nothing for that month or
  did not list the product.
* **channel stock**: the product's quantity in the partner's latest stock report whose month
  starts on or before `as_of` (0 when that report does not list the product; None, shown as "—",
  when the partner never reported).
* **sell-through rate** = sell-out / (opening stock + sell-in), a Decimal fraction rounded half-up
  to 4 places; None when the denominator is 0. It can exceed 1 when the partner sells stock it
  did not report.
* **inventory days** = channel stock / (sell-out / days) = channel stock x days / sell-out, rounded
  half-up to 1 place; None without sell-out (or without any stock report).
* **diversions**: the number of sell-out records in the window flagged `outside_territory`.

Worked example (tested in `tests/orders/test_sellthrough.py`): as_of 2025-06-30, 90 days, so the
window is 2025-04-02 … 2025-06-30 and the opening month is March 2025.

==========================  =========================================================
March report (opening)      40
shipped in the window       50 + 70 = 120 (a shipment on 2025-04-01 23:30 Beijing time
                            and one in July are outside)
sold in the window          60 + 37 = 97, of which 37 outside the territory
latest report (June)        63
sell-through rate           97 / (40 + 120) = 0.60625 → 0.6063
inventory days              63 x 90 / 97 = 58.453… → 58.5
diversions                  1
==========================  =========================================================

`sellthrough_rows` runs at most seven queries for any number of partners and products.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum

from partners.models import Partner, ProductLine
from prm.tenancy.selectors import tenant_zone

from .models import ChannelStockLine, ChannelStockReport, Product, SellOut, ShipmentLine
from .sellthrough import previous_month

WINDOW_CHOICES = (30, 90, 180)
DEFAULT_WINDOW = 90
RATE_PLACES = Decimal("0.0001")
DAYS_PLACES = Decimal("0.1")


def sell_through_rate(*, sell_out: int, opening_stock: int, sell_in: int) -> Decimal | None:
    """sell-out / (opening stock + sell-in), half-up to 4 places; None when nothing was there."""
    available = opening_stock + sell_in
    if available <= 0:
        return None
    return (Decimal(sell_out) / Decimal(available)).quantize(RATE_PLACES, rounding=ROUND_HALF_UP)


def inventory_days(*, stock: int | None, sell_out: int, days: int) -> Decimal | None:
    """How many days the stock lasts at the window's pace: stock x days / sell-out, 1 place."""
    if stock is None or sell_out <= 0:
        return None
    return (Decimal(stock) * Decimal(days) / Decimal(sell_out)).quantize(
        DAYS_PLACES, rounding=ROUND_HALF_UP
    )


@dataclass(frozen=True)
class Row:
    partner: Partner
    product: Product
    sell_in: int
    sell_out: int
    opening_stock: int
    channel_stock: int | None
    sell_through_rate: Decimal | None
    inventory_days: Decimal | None
    diversions: int

    @property
    def sell_through_percent(self) -> Decimal | None:
        return None if self.sell_through_rate is None else self.sell_through_rate * 100


_Key = tuple[int, int]


@dataclass(frozen=True)
class Window:
    start: dt.date
    end: dt.date
    opening_period: dt.date
    since: dt.datetime
    until: dt.datetime


def sellthrough_window(*, as_of: dt.date, days: int) -> Window:
    """The `days` days ending with `as_of` (inclusive); datetimes in the vendor's time zone."""
    if days < 1:
        raise ValueError("the window must be at least one day")
    zone = tenant_zone()
    start = as_of - dt.timedelta(days=days - 1)
    return Window(
        start=start,
        end=as_of,
        opening_period=previous_month(start),
        since=dt.datetime.combine(start, dt.time.min, tzinfo=zone),
        until=dt.datetime.combine(as_of + dt.timedelta(days=1), dt.time.min, tzinfo=zone),
    )


def sellthrough_rows(
    *,
    partner_ids: Collection[int] | None = None,
    product_line: ProductLine | int | None = None,
    as_of: dt.date,
    days: int = DEFAULT_WINDOW,
) -> list[Row]:
    """Sell-in, sell-out, stock and the rates per (partner, product); see the module doc.

    `partner_ids=None` means every partner. At most seven queries for any number of rows;
    sorted by partner name, then SKU. Pairs with nothing to show (all zero) are left out.
    """
    if partner_ids is not None:
        partner_ids = list(partner_ids)
        if not partner_ids:
            return []
    line_id = product_line.pk if isinstance(product_line, ProductLine) else product_line
    window = sellthrough_window(as_of=as_of, days=days)

    def scoped(qs: QuerySet[Any], partner: str | None, product: str | None) -> QuerySet[Any]:
        if partner and partner_ids is not None:
            qs = qs.filter(**{f"{partner}__in": partner_ids})
        if product and line_id is not None:
            qs = qs.filter(**{f"{product}__product_line_id": line_id})
        return qs.order_by()

    sell_in: dict[_Key, int] = {
        (p, q): total
        for p, q, total in scoped(
            ShipmentLine.objects.filter(
                shipment__shipped_at__gte=window.since, shipment__shipped_at__lt=window.until
            ),
            "order_line__order__partner_id",
            "order_line__product",
        )
        .values("order_line__order__partner_id", "order_line__product_id")
        .annotate(total=Sum("quantity"))
        .values_list("order_line__order__partner_id", "order_line__product_id", "total")
    }
    sell_out: dict[_Key, int] = {}
    diversions: dict[_Key, int] = {}
    for p, q, total, flagged in (
        scoped(
            SellOut.objects.filter(sold_on__gte=window.start, sold_on__lte=window.end),
            "partner_id",
            "product",
        )
        .values("partner_id", "product_id")
        .annotate(total=Sum("quantity"), flagged=Count("pk", filter=Q(outside_territory=True)))
        .values_list("partner_id", "product_id", "total", "flagged")
    ):
        sell_out[(p, q)], diversions[(p, q)] = total, flagged
    latest_reports = dict(
        scoped(ChannelStockReport.objects.filter(period__lte=as_of), "partner_id", None)
        .order_by("partner_id", "-period")
        .distinct("partner_id")
        .values_list("pk", "partner_id")
    )
    stock: dict[_Key, int] = {}
    if latest_reports:
        stock = {
            (p, q): quantity
            for p, q, quantity in scoped(
                ChannelStockLine.objects.filter(report_id__in=list(latest_reports)), None, "product"
            ).values_list("report__partner_id", "product_id", "quantity")
        }
    opening: dict[_Key, int] = {
        (p, q): quantity
        for p, q, quantity in scoped(
            ChannelStockLine.objects.filter(report__period=window.opening_period),
            "report__partner_id",
            "product",
        ).values_list("report__partner_id", "product_id", "quantity")
    }

    reported = set(latest_reports.values())
    keys = [
        key
        for key in sell_in.keys() | sell_out.keys() | stock.keys() | opening.keys()
        if sell_in.get(key) or sell_out.get(key) or stock.get(key) or opening.get(key)
    ]
    if not keys:
        return []
    partners = Partner.objects.in_bulk({p for p, _q in keys})
    products = Product.objects.select_related("product_line").in_bulk({q for _p, q in keys})
    rows = []
    for p, q in keys:
        channel_stock = stock.get((p, q), 0) if p in reported else None
        rows.append(
            Row(
                partner=partners[p],
                product=products[q],
                sell_in=sell_in.get((p, q), 0),
                sell_out=sell_out.get((p, q), 0),
                opening_stock=opening.get((p, q), 0),
                channel_stock=channel_stock,
                sell_through_rate=sell_through_rate(
                    sell_out=sell_out.get((p, q), 0),
                    opening_stock=opening.get((p, q), 0),
                    sell_in=sell_in.get((p, q), 0),
                ),
                inventory_days=inventory_days(
                    stock=channel_stock, sell_out=sell_out.get((p, q), 0), days=days
                ),
                diversions=diversions.get((p, q), 0),
            )
        )
    rows.sort(key=lambda row: (row.partner.name, row.partner.pk, row.product.sku))
    return rows
