"""Channel inventory on the cockpit: sell-in, sell-out, stock, sell-through rate and inventory
days of the partners over the period (docs/cockpit_figures.md, "Sell-through").

The definitions are orders.sellthrough_metrics' (its window, its sources, its two formulas),
applied to totals over all the partners and products instead of per pair.
`sellthrough_rows` takes partner ids and builds a row per partner and product; for a cockpit
total over a partner queryset the four sums are taken here, in the database, with the same
filters (tests/reports/figures/test_stock.py holds both to the same numbers).

Window: the period's days up to today, `period.start … min(period.last_day, today)`, so a
running month is month-to-date. A period that starts after today has no window: zeros and no
rates, without a query.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum

from orders.models import ChannelStockLine, ChannelStockReport, SellOut, ShipmentLine
from orders.sellthrough_metrics import (
    Row,
    inventory_days,
    sell_through_rate,
    sellthrough_rows,
    sellthrough_window,
)
from partners.models import Partner
from prm.tenancy.selectors import tenant_today, tenant_zone

from .models import SalesLineMonth
from .periods import Period


@dataclass(frozen=True)
class SellThrough:
    start: dt.date  # the window, both days included
    as_of: dt.date
    days: int
    sell_in: int  # units shipped to the partners in the window
    sell_out: int  # units they reported selling in the window
    opening_stock: int  # their stock reports for the month before the window's first month
    channel_stock: int | None  # their latest stock reports up to as_of; None: nobody reported
    rate: Decimal | None  # sell_out / (opening_stock + sell_in)
    inventory_days: Decimal | None  # channel_stock x days / sell_out


def sell_through_window(period: Period) -> tuple[dt.date, int]:
    """(as_of, days) of the period's window; days < 1 when the period has not started."""
    as_of = min(period.last_day, tenant_today())
    return as_of, (as_of - period.start).days + 1


def _line(qs: QuerySet[Any], product: str, product_line_id: int | None) -> QuerySet[Any]:
    if product_line_id is None:
        return qs
    return qs.filter(**{f"{product}__product_line_id": product_line_id})


def _sell_in(
    partners: QuerySet[Partner], period: Period, as_of: dt.date, product_line_id: int | None
) -> int:
    """Units shipped from the period's start to `as_of`, from the monthly rollup: the same
    shipments, summed in the month they happened. A running month's row holds the shipments
    made so far, which are those up to today (`as_of`), once its refresh job has run."""
    months = SalesLineMonth.objects.filter(
        partner__in=partners, month__gte=period.start, month__lte=as_of
    )
    if product_line_id is not None:
        months = months.filter(product_line_id=product_line_id)
    return int(months.aggregate(n=Sum("shipped_quantity"))["n"] or 0)


def sell_through(
    *, partners: QuerySet[Partner], period: Period, product_line_id: int | None = None
) -> SellThrough:
    """Four queries."""
    as_of, days = sell_through_window(period)
    if days < 1:
        return SellThrough(period.start, as_of, 0, 0, 0, 0, None, None, None)
    window = sellthrough_window(as_of=as_of, days=days)
    sell_in = _sell_in(partners, period, as_of, product_line_id)
    sell_out = _line(
        SellOut.objects.filter(
            partner__in=partners, sold_on__gte=window.start, sold_on__lte=window.end
        ),
        "product",
        product_line_id,
    ).aggregate(n=Sum("quantity"))["n"]
    opening = _line(
        ChannelStockLine.objects.filter(
            report__partner__in=partners, report__period=window.opening_period
        ),
        "product",
        product_line_id,
    ).aggregate(n=Sum("quantity"))["n"]
    latest = (
        ChannelStockReport.objects.filter(partner__in=partners, period__lte=as_of)
        .order_by("partner_id", "-period")
        .distinct("partner_id")
        .values("pk")
    )
    in_line = Q() if product_line_id is None else Q(lines__product__product_line_id=product_line_id)
    stock = ChannelStockReport.objects.filter(pk__in=latest).aggregate(
        reports=Count("pk", distinct=True), n=Sum("lines__quantity", filter=in_line)
    )
    sell_out, opening = sell_out or 0, opening or 0
    channel_stock = (stock["n"] or 0) if stock["reports"] else None
    return SellThrough(
        start=window.start,
        as_of=as_of,
        days=days,
        sell_in=sell_in,
        sell_out=sell_out,
        opening_stock=opening,
        channel_stock=channel_stock,
        rate=sell_through_rate(sell_out=sell_out, opening_stock=opening, sell_in=sell_in),
        inventory_days=inventory_days(stock=channel_stock, sell_out=sell_out, days=days),
    )


def _window_bounds(period: Period) -> tuple[dt.datetime, dt.datetime]:
    """The window as aware datetimes [since, until); empty when the period has not started."""
    as_of, _days = sell_through_window(period)
    since, _end = period.bounds()
    until = dt.datetime.combine(as_of + dt.timedelta(days=1), dt.time.min, tzinfo=tenant_zone())
    return since, until


def sell_through_sales(
    *, partners: QuerySet[Partner], period: Period, product_line_id: int | None = None
) -> QuerySet[SellOut]:
    """The sell-out records behind `sell_out`, latest first."""
    as_of, _days = sell_through_window(period)
    return (
        _line(
            SellOut.objects.filter(
                partner__in=partners, sold_on__gte=period.start, sold_on__lte=as_of
            ),
            "product",
            product_line_id,
        )
        .select_related("partner", "product")
        .order_by("-sold_on", "-pk")
    )


def sell_through_shipments(
    *, partners: QuerySet[Partner], period: Period, product_line_id: int | None = None
) -> QuerySet[ShipmentLine]:
    """The shipment lines behind `sell_in`, latest first."""
    since, until = _window_bounds(period)
    return (
        _line(
            ShipmentLine.objects.filter(
                order_line__order__partner__in=partners,
                shipment__shipped_at__gte=since,
                shipment__shipped_at__lt=until,
            ),
            "order_line__product",
            product_line_id,
        )
        .select_related("shipment", "order_line__order__partner", "order_line__product")
        .order_by("-shipment__shipped_at", "-pk")
    )


def sell_through_rows(
    *, partners: QuerySet[Partner], period: Period, product_line_id: int | None = None
) -> list[Row]:
    """The figure per partner and product (orders.sellthrough_metrics' own table), for the
    drill-down page. `sellthrough_rows` takes ids, so they are read here: one query, bounded by
    the partners the page lists anyway."""
    as_of, days = sell_through_window(period)
    if days < 1:
        return []
    return sellthrough_rows(
        partner_ids=list(partners.values_list("pk", flat=True)),
        product_line=product_line_id,
        as_of=as_of,
        days=days,
    )
