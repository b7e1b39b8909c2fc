"""The vendor cockpit's sales figures, read from the monthly rollups.

Definitions (worked example in docs/cockpit.md, checked by tests/reports/test_cockpit.py):

* **ordered**: counted orders (approved or later, `orders.metrics.COUNTED`) placed in the
  period: the sum of their lines' net totals (`SalesLineMonth.ordered_amount`).
* **shipped**: units shipped in the period x the net unit price of their order line.
* **collected**: money received in the period: payments (`Payment.received_on`) and approved
  wallet top-ups (`TopUpRequest.transferred_on`). Money is not tied to product lines, so with a
  product-line filter this figure stays for all lines.
* **growth**: (current - previous) / previous, for the period before (环比) and the same period
  a year earlier (同比); None when the earlier figure is 0, and None while the period is still
  running (a month to date against whole months would read as a fall every day).
* **active partner ratio**: partners now active that placed a counted order in the period
  (on the product line, when filtered), over partners now active.
* **order processing time**: mean hours from placing an order to its first shipment, over the
  orders first shipped in the period (all product lines).
* **top / bottom partners**: active partners ranked by ordered amount in the period (bottom
  includes active partners that ordered nothing), ten each.
Every figure covers only the partners the user may see and the filters chosen.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum

from partners.models import PartnerStatus, ProductLine
from prm.core.bilingual import pick

from .filters import CockpitScope
from .geography import Area, area_of, province_label
from .models import PartnerMonth, SalesLineMonth
from .periods import Period, add_months

ZERO = Decimal("0")
RATE = Decimal("0.0001")
HOURS = Decimal("0.1")
TREND_MONTHS = 12
RANKED = 10


def growth(current: Decimal, earlier: Decimal) -> Decimal | None:
    if not earlier:
        return None
    return ((current - earlier) / earlier).quantize(RATE, rounding=ROUND_HALF_UP)


def share(part: Decimal | int, whole: Decimal | int) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part) / Decimal(whole)).quantize(RATE, rounding=ROUND_HALF_UP)


@dataclass
class Totals:
    ordered: Decimal = ZERO
    shipped: Decimal = ZERO
    collected: Decimal = ZERO
    orders: int = 0
    hours: Decimal = ZERO  # from placing to first shipment, summed over...
    first_shipped: int = 0  # ...the orders first shipped

    def add(self, other: Totals) -> None:
        self.ordered += other.ordered
        self.shipped += other.shipped
        self.collected += other.collected
        self.orders += other.orders
        self.hours += other.hours
        self.first_shipped += other.first_shipped


@dataclass
class Compared:
    """One measure now, in the period before and a year earlier, with both growth rates."""

    current: Decimal
    previous: Decimal
    year_ago: Decimal
    # A period still running is only partly counted: comparing it with whole periods would
    # show every month as a fall until its last day, so there is no growth rate yet.
    running: bool = False

    @property
    def vs_previous(self) -> Decimal | None:
        return None if self.running else growth(self.current, self.previous)

    @property
    def vs_year_ago(self) -> Decimal | None:
        return None if self.running else growth(self.current, self.year_ago)


@dataclass
class Group:
    """A row of a breakdown: an area, a province, a tier, a product line or a partner."""

    key: str
    label: str
    totals: Totals = field(default_factory=Totals)
    partners: int = 0


@dataclass
class SalesPicture:
    period: Period
    running: bool  # the period has not ended: its figures are to date
    ordered: Compared
    shipped: Compared
    collected: Compared
    order_count: int
    trend_months: list[date]
    trend: dict[date, Totals]
    active_partners: int
    ordering_partners: int
    processing_hours: Decimal | None
    shipped_orders: int
    by_area: list[Group]
    by_province: list[Group]
    by_tier: list[Group]
    by_product_line: list[Group]
    top: list[Group]
    bottom: list[Group]

    @property
    def active_ratio(self) -> Decimal | None:
        return share(self.ordering_partners, self.active_partners)


def _line_rows(scope: CockpitScope) -> QuerySet[SalesLineMonth]:
    rows = SalesLineMonth.objects.filter(partner__in=scope.partners)
    if scope.product_line is not None:
        rows = rows.filter(product_line=scope.product_line)
    return rows


def _grouped_sums(scope: CockpitScope, by: str, start: date, end: date) -> dict[Any, Totals]:
    """Totals grouped by `by` ("month" or "partner_id") over months [start, end).

    Without a product-line filter one query on `PartnerMonth` (one row per partner and month)
    answers everything; with one, ordered and shipped come from that line's `SalesLineMonth`
    rows and the rest (orders, collected) stays for all lines.
    """
    out: dict[Any, Totals] = defaultdict(Totals)
    partner_rows = (
        PartnerMonth.objects.filter(partner__in=scope.partners, month__gte=start, month__lt=end)
        .values(by)
        .annotate(
            ordered=Sum("ordered_amount"),
            shipped=Sum("shipped_amount"),
            collected=Sum("collected_amount"),
            orders=Sum("order_count"),
            hours=Sum("processing_hours"),
            first_shipped=Sum("first_shipped_count"),
        )
        .order_by()
    )
    for row in partner_rows:
        totals = out[row[by]]
        totals.collected, totals.orders = row["collected"], row["orders"]
        totals.hours, totals.first_shipped = row["hours"], row["first_shipped"]
        if scope.product_line is None:
            totals.ordered, totals.shipped = row["ordered"], row["shipped"]
    if scope.product_line is not None:
        for row in (
            _line_rows(scope)
            .filter(month__gte=start, month__lt=end)
            .values(by)
            .annotate(ordered=Sum("ordered_amount"), shipped=Sum("shipped_amount"))
            .order_by()
        ):
            out[row[by]].ordered, out[row[by]].shipped = row["ordered"], row["shipped"]
    return out


def _sum(months: dict[date, Totals], period: Period) -> Totals:
    total = Totals()
    for month in period.months():
        if month in months:
            total.add(months[month])
    return total


def _processing(months: dict[date, Totals], period: Period) -> tuple[Decimal | None, int]:
    total = _sum(months, period)
    if not total.first_shipped:
        return None, 0
    mean = (total.hours / total.first_shipped).quantize(HOURS, rounding=ROUND_HALF_UP)
    return mean, total.first_shipped


def _by_product_line(scope: CockpitScope) -> list[Group]:
    """Ordered and shipped per product line; `partners` counts those that ordered the line."""
    period = scope.period
    rows = (
        _line_rows(scope)
        .filter(month__gte=period.start, month__lt=period.end)
        .values("product_line_id")
        .annotate(
            ordered=Sum("ordered_amount"),
            shipped=Sum("shipped_amount"),
            buyers=Count("partner_id", distinct=True, filter=Q(ordered_amount__gt=0)),
        )
        .order_by()
    )
    names = {line.pk: line.display_name for line in ProductLine.objects.all()}
    groups = []
    for row in rows:
        pk = row["product_line_id"]
        group = Group(str(pk or ""), names.get(pk, "—"), partners=row["buyers"])
        group.totals.ordered, group.totals.shipped = row["ordered"], row["shipped"]
        groups.append(group)
    return sorted(groups, key=lambda g: (-g.totals.ordered, g.label))


def _grouped(
    partners: Iterable[Any], totals: dict[int, Totals], key: Any, label: Any
) -> list[Group]:
    groups: dict[str, Group] = {}
    for p in partners:
        k = key(p)
        group = groups.get(k)
        if group is None:
            group = groups[k] = Group(k, label(p))
        group.partners += 1
        if p["pk"] in totals:
            group.totals.add(totals[p["pk"]])
    return sorted(groups.values(), key=lambda g: (-g.totals.ordered, g.label))


def sales_picture(scope: CockpitScope) -> SalesPicture:
    period = scope.period
    trend_start = add_months(period.end, -max(TREND_MONTHS, period.length))
    earliest = min(trend_start, period.year_ago().start)
    months = _grouped_sums(scope, "month", earliest, period.end)
    now, before, year_ago = (
        _sum(months, period),
        _sum(months, period.previous()),
        _sum(months, period.year_ago()),
    )
    per_partner = _grouped_sums(scope, "partner_id", period.start, period.end)
    running = period.start <= scope.today < period.end
    partners: list[Any] = list(
        scope.partners.values(
            "pk", "name", "name_en", "region", "status", "tier_id", "tier__name", "tier__name_en"
        )
    )
    active = [p for p in partners if p["status"] == PartnerStatus.ACTIVE]
    areas = dict(Area.choices)
    hours, shipped_orders = _processing(months, period)

    def partner_group(p: Any) -> Group:
        group = Group(
            str(p["pk"]), pick(p["name"], p["name_en"]), per_partner.get(p["pk"], Totals())
        )
        group.partners = 1
        return group

    ranked = sorted((partner_group(p) for p in active), key=lambda g: (-g.totals.ordered, g.label))
    trend_months = Period("month", trend_start, period.end).months()
    return SalesPicture(
        period=period,
        ordered=Compared(now.ordered, before.ordered, year_ago.ordered, running),
        shipped=Compared(now.shipped, before.shipped, year_ago.shipped, running),
        collected=Compared(now.collected, before.collected, year_ago.collected, running),
        running=running,
        order_count=now.orders,
        trend_months=trend_months,
        trend={m: months.get(m, Totals()) for m in trend_months},
        active_partners=len(active),
        ordering_partners=sum(1 for p in active if per_partner.get(p["pk"], Totals()).ordered),
        processing_hours=hours,
        shipped_orders=shipped_orders,
        by_area=_grouped(
            partners,
            per_partner,
            lambda p: area_of(p["region"]),
            lambda p: areas[area_of(p["region"])],
        ),
        by_province=_grouped(
            partners, per_partner, lambda p: p["region"], lambda p: province_label(p["region"])
        ),
        by_tier=_grouped(
            partners,
            per_partner,
            lambda p: str(p["tier_id"] or ""),
            lambda p: pick(p["tier__name"], p["tier__name_en"]) if p["tier_id"] else "—",
        ),
        by_product_line=_by_product_line(scope),
        top=ranked[:RANKED],
        bottom=list(reversed(ranked[-RANKED:])) if len(ranked) > RANKED else list(reversed(ranked)),
    )
