"""The forecast roll-up and forecast accuracy: partners' figures summed by month and product
line, nationally, by area (大区) and by province, beside the weighted deal pipeline and, once a
month is over, the actual ordered amount.

- Forecast: the partners' own figures; final: with the channel managers' adjustments. Only
  submitted and committed forecasts count (a draft is not a forecast yet).
- Pipeline: open deal registrations that hold their customer, of the same partners and product
  line, expected to close in the month, weighted by the stage's win probability as
  `deal_registration.selectors.pipeline` does (amount x probability, half-up to the cent per
  stage group, then summed).
- Actual: `SalesLineMonth.ordered_amount` of the same partners, product line and month (counted
  orders placed in the month), shown once the month is over in the vendor's time zone.
- Accuracy = max(0, 1 - |F - A| / A), F the final forecast and A the actual; when A = 0 it is 1
  if F = 0, else 0; half-up to 4 places. A group's accuracy (area, nation, several months) uses
  its summed F and A, not an average of its members' accuracies: a partner that forecast 10 and
  bought 0 must not weigh as much as one that forecast a million. See docs/forecasting.md.

Each function issues a fixed number of queries whatever the number of partners.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import DecimalField, QuerySet, Sum
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from deal_registration.models import DealStage
from deal_registration.models.registrations import OPEN_STATUSES, STAGE_PROBABILITY
from deal_registration.selectors import deals_visible_to
from partners.models import ProductLine
from partners.selectors import partners_visible_to
from prm.core.bilingual import pick
from prm.core.money import quantize

from .forecast_selectors import COUNTED, cycle_months, forecasts_visible_to, month_closed
from .geography import PROVINCES, Area, area_of, province_label, province_of
from .models import Forecast, ForecastLine, SalesLineMonth
from .periods import add_months
from .tables import MONEY, PERCENT, Column, Table

ZERO = Decimal("0.00")
FOURTH = Decimal("0.0001")
_FINAL = Coalesce(
    "adjusted_amount", "amount", output_field=DecimalField(max_digits=18, decimal_places=2)
)


def accuracy(final: Decimal, actual: Decimal) -> Decimal:
    """max(0, 1 - |F - A| / A) as a fraction, half-up to 4 places; with A = 0, 1 if F = 0."""
    if actual == 0:
        return Decimal("1.0000") if final == 0 else Decimal("0.0000")
    value = max(Decimal(0), 1 - abs(final - actual) / actual)
    return value.quantize(FOURTH, rounding=ROUND_HALF_UP)


@dataclass
class Measures:
    forecast: Decimal = ZERO  # the partners' own figures
    final: Decimal = ZERO  # with the channel managers' adjustments
    pipeline: Decimal = ZERO  # weighted open deals expected to close in the month
    actual: Decimal | None = None  # ordered in the month; None while the month is not over
    settled: Decimal = ZERO  # the final forecast of the months that are over, for accuracy

    def add(self, other: Measures) -> None:
        self.forecast += other.forecast
        self.final += other.final
        self.pipeline += other.pipeline
        if other.actual is not None:
            self.actual = (self.actual or ZERO) + other.actual
            self.settled += other.settled

    @property
    def accuracy(self) -> Decimal | None:
        return None if self.actual is None else accuracy(self.settled, self.actual)


@dataclass(frozen=True)
class RollupFilters:
    cycle: date
    area: str = ""  # an `Area` value
    province: str = ""  # a province's Chinese short name (geography.PROVINCES)
    product_line: ProductLine | None = None


def region_matches(region: str, filters: RollupFilters) -> bool:
    if filters.area and area_of(region) != filters.area:
        return False
    if filters.province:
        found = province_of(region)
        return bool(found and found[0] == filters.province)
    return True


def forecasts_for(user: Any, filters: RollupFilters) -> QuerySet[Forecast]:
    """The counted forecasts of the cycle, of the partners `user` sees, in the area/province."""
    forecasts = forecasts_visible_to(user).filter(cycle=filters.cycle, status__in=COUNTED)
    if filters.area or filters.province:
        known = partners_visible_to(user).order_by().values_list("region", flat=True).distinct()
        forecasts = forecasts.filter(
            partner__region__in=[r for r in known if region_matches(r, filters)]
        )
    return forecasts


Key = tuple[str, int, date]  # (partner's region text, product line id, month)


@dataclass
class Rollup:
    months: list[date]
    cells: dict[Key, Measures] = field(default_factory=dict)
    lines: dict[int, ProductLine] = field(default_factory=dict)
    partners: int = 0

    def cell(self, key: Key) -> Measures:
        if key not in self.cells:
            self.cells[key] = Measures(actual=ZERO if month_closed(key[2]) else None)
        return self.cells[key]

    def grouped(self, by: Callable[[Key], Any]) -> dict[Any, Measures]:
        out: dict[Any, Measures] = defaultdict(Measures)
        for key, measures in self.cells.items():
            out[by(key)].add(measures)
        return out

    def total(self) -> Measures:
        return self.grouped(lambda key: None).get(None, Measures())

    def line_name(self, line_id: int) -> str:
        line = self.lines.get(line_id)
        return line.display_name if line else str(line_id)


def rollup_of(
    user: Any,
    forecasts: QuerySet[Forecast],
    months: list[date],
    *,
    product_line: ProductLine | None = None,
) -> Rollup:
    """Forecast, final, weighted pipeline and actuals of `forecasts`' partners, by region,
    product line and month (four queries: figures, pipeline, actuals, product line names)."""
    rollup = Rollup(months=months)
    lines = ForecastLine.objects.filter(forecast__in=forecasts.values("pk"))
    partner_ids = forecasts.values("partner_id")
    if product_line is not None:
        lines = lines.filter(product_line=product_line)
    for row in (
        lines.order_by()
        .values("forecast__partner__region", "product_line_id", "month")
        .annotate(forecast=Sum("amount"), final=Sum(_FINAL))
    ):
        measures = rollup.cell(
            (row["forecast__partner__region"], row["product_line_id"], row["month"])
        )
        measures.forecast += row["forecast"]
        measures.final += row["final"]
    deals = deals_visible_to(user).filter(
        partner_id__in=partner_ids,
        status__in=OPEN_STATUSES,
        holds_claim=True,
        expected_close_date__gte=months[0],
        expected_close_date__lt=add_months(months[-1], 1),
    )
    if product_line is not None:
        deals = deals.filter(product_line=product_line)
    for row in (
        deals.order_by()
        .values(
            "partner__region",
            "product_line_id",
            "stage",
            "expected_close_date__year",
            "expected_close_date__month",
        )
        .annotate(amount=Sum("estimated_amount"))
    ):
        month = date(row["expected_close_date__year"], row["expected_close_date__month"], 1)
        weighted = quantize(row["amount"] * STAGE_PROBABILITY[DealStage(row["stage"])] / 100)
        rollup.cell((row["partner__region"], row["product_line_id"], month)).pipeline += weighted
    closed = [m for m in months if month_closed(m)]
    if closed:
        actuals = SalesLineMonth.objects.filter(
            partner_id__in=partner_ids, month__in=closed, product_line__isnull=False
        )
        if product_line is not None:
            actuals = actuals.filter(product_line=product_line)
        for row in (
            actuals.order_by()
            .values("partner__region", "product_line_id", "month")
            .annotate(amount=Sum("ordered_amount"))
        ):
            measures = rollup.cell((row["partner__region"], row["product_line_id"], row["month"]))
            measures.actual = (measures.actual or ZERO) + row["amount"]
    for measures in rollup.cells.values():
        if measures.actual is not None:
            measures.settled = measures.final
    used = {line_id for _region, line_id, _month in rollup.cells}
    rollup.lines = {line.pk: line for line in ProductLine.objects.filter(pk__in=used)}
    return rollup


def forecast_rollup(*, user: Any, filters: RollupFilters) -> Rollup:
    forecasts = forecasts_for(user, filters)
    rollup = rollup_of(
        user, forecasts, cycle_months(filters.cycle), product_line=filters.product_line
    )
    rollup.partners = forecasts.order_by().values("partner_id").distinct().count()
    return rollup


# --- accuracy -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ForecastMonth:
    """One forecast's figures for one month (all product lines, or the filtered one)."""

    forecast_id: int
    cycle: date
    status: str
    partner_id: int
    partner_name: str
    region: str
    month: date
    forecast: Decimal
    final: Decimal
    actual: Decimal | None  # None while the month is not over

    @property
    def accuracy(self) -> Decimal | None:
        return None if self.actual is None else accuracy(self.final, self.actual)


def forecast_months(
    forecasts: QuerySet[Forecast], *, product_line: ProductLine | None = None
) -> list[ForecastMonth]:
    """Each forecast's figures per month beside the partner's actual of that month, in three
    queries; ordered by cycle (newest first), partner name, month."""
    heads = {
        row["pk"]: row
        for row in forecasts.order_by().values(
            "pk",
            "cycle",
            "status",
            "partner_id",
            "partner__name",
            "partner__name_en",
            "partner__region",
        )
    }
    lines = ForecastLine.objects.filter(forecast__in=forecasts.values("pk"))
    if product_line is not None:
        lines = lines.filter(product_line=product_line)
    sums = (
        lines.order_by()
        .values("forecast_id", "month")
        .annotate(forecast=Sum("amount"), final=Sum(_FINAL))
    )
    figures = {(r["forecast_id"], r["month"]): (r["forecast"], r["final"]) for r in sums}
    months = {month for _pk, month in figures}
    for head in heads.values():
        months.update(cycle_months(head["cycle"]))
    closed = [m for m in months if month_closed(m)]
    actual: dict[tuple[int, date], Decimal] = {}
    if closed:
        bought = SalesLineMonth.objects.filter(
            partner_id__in=forecasts.values("partner_id"),
            month__in=closed,
            product_line__isnull=False,
        )
        if product_line is not None:
            bought = bought.filter(product_line=product_line)
        for row in (
            bought.order_by().values("partner_id", "month").annotate(amount=Sum("ordered_amount"))
        ):
            actual[(row["partner_id"], row["month"])] = row["amount"]
    out = []
    for pk, head in heads.items():
        for month in cycle_months(head["cycle"]):
            forecast, final = figures.get((pk, month), (ZERO, ZERO))
            out.append(
                ForecastMonth(
                    forecast_id=pk,
                    cycle=head["cycle"],
                    status=head["status"],
                    partner_id=head["partner_id"],
                    partner_name=pick(head["partner__name"], head["partner__name_en"]),
                    region=head["partner__region"],
                    month=month,
                    forecast=forecast,
                    final=final,
                    actual=actual.get((head["partner_id"], month), ZERO)
                    if month_closed(month)
                    else None,
                )
            )
    out.sort(key=lambda r: (-r.cycle.toordinal(), r.partner_name, r.partner_id, r.month))
    return out


@dataclass(frozen=True)
class GroupAccuracy:
    label: str
    month: date
    final: Decimal
    actual: Decimal

    @property
    def accuracy(self) -> Decimal:
        return accuracy(self.final, self.actual)


def _area_rank(area: str) -> int:
    return list(Area.values).index(area)


def area_accuracy(rows: Iterable[ForecastMonth]) -> list[GroupAccuracy]:
    """Per area and month, then nationally per month: summed F against summed A of the closed
    months (an area's accuracy is not the average of its partners')."""
    by_area: dict[tuple[str, date], list[Decimal]] = defaultdict(lambda: [ZERO, ZERO])
    nation: dict[date, list[Decimal]] = defaultdict(lambda: [ZERO, ZERO])
    for row in rows:
        if row.actual is None:
            continue
        for bucket in (by_area[(area_of(row.region), row.month)], nation[row.month]):
            bucket[0] += row.final
            bucket[1] += row.actual
    out = [
        GroupAccuracy(str(Area(area).label), month, final, actual)
        for (area, month), (final, actual) in sorted(
            by_area.items(), key=lambda item: (_area_rank(item[0][0]), item[0][1])
        )
    ]
    out += [
        GroupAccuracy(pgettext("report row", "National"), month, final, actual)
        for month, (final, actual) in sorted(nation.items())
    ]
    return out


# --- tables -------------------------------------------------------------------------------------


def _month(value: date) -> str:
    return f"{value:%Y-%m}"


def _measure_columns() -> list[Column]:
    return [
        Column(_("Partners' forecast"), MONEY),
        Column(_("Final forecast"), MONEY),
        Column(_("Weighted pipeline"), MONEY),
        Column(_("Actual ordered"), MONEY),
        Column(_("Accuracy"), PERCENT),
    ]


def _measures(m: Measures) -> list[Any]:
    return [m.forecast, m.final, m.pipeline, m.actual, m.accuracy]


_PROVINCE_RANK = {row[0]: n for n, row in enumerate(PROVINCES)}


def _province_key(region: str) -> tuple[int, str, str]:
    """Sort and group key of a partner's region: known provinces in GB/T 2260 order."""
    found = province_of(region)
    if found:
        return (_PROVINCE_RANK[found[0]], found[0], found[2])
    return (len(PROVINCES), region, str(Area.OTHER))


def rollup_tables(rollup: Rollup, *, key_prefix: str = "forecast") -> list[Table]:
    """The roll-up as tables: by month; by month and product line (national); by area; by
    province. Rows with nothing in them are left out."""
    total = rollup.total()
    by_month = rollup.grouped(lambda k: k[2])
    national = rollup.grouped(lambda k: (k[2], k[1]))
    areas = rollup.grouped(lambda k: (area_of(k[0]), k[2], k[1]))
    provinces = rollup.grouped(lambda k: (_province_key(k[0]), k[2], k[1]))
    footer = [pgettext("report row", "Total"), "", *_measures(total)]
    line_code = {pk: line.code for pk, line in rollup.lines.items()}

    def line_sort(line_id: int) -> str:
        return line_code.get(line_id, "")

    built = [
        Table(
            key=f"{key_prefix}-months",
            title=_("By month"),
            columns=[Column(_("Month")), *_measure_columns()],
            rows=[[_month(m), *_measures(by_month[m])] for m in sorted(by_month)],
            footer=[pgettext("report row", "Total"), *_measures(total)],
        ),
        Table(
            key=f"{key_prefix}-national",
            title=_("Nationally, by product line"),
            columns=[Column(_("Month")), Column(_("Product line")), *_measure_columns()],
            rows=[
                [_month(month), rollup.line_name(line_id), *_measures(national[(month, line_id)])]
                for month, line_id in sorted(national, key=lambda k: (k[0], line_sort(k[1])))
            ],
            footer=footer,
        ),
        Table(
            key=f"{key_prefix}-areas",
            title=_("By area"),
            columns=[
                Column(_("Area")),
                Column(_("Month")),
                Column(_("Product line")),
                *_measure_columns(),
            ],
            rows=[
                [
                    str(Area(area).label),
                    _month(month),
                    rollup.line_name(line_id),
                    *_measures(areas[(area, month, line_id)]),
                ]
                for area, month, line_id in sorted(
                    areas, key=lambda k: (_area_rank(k[0]), k[1], line_sort(k[2]))
                )
            ],
            footer=[pgettext("report row", "Total"), "", "", *_measures(total)],
        ),
        Table(
            key=f"{key_prefix}-provinces",
            title=_("By province"),
            columns=[
                Column(_("Province")),
                Column(_("Area")),
                Column(_("Month")),
                Column(_("Product line")),
                *_measure_columns(),
            ],
            rows=[
                [
                    province_label(province[1]),
                    str(Area(province[2]).label),
                    _month(month),
                    rollup.line_name(line_id),
                    *_measures(provinces[(province, month, line_id)]),
                ]
                for province, month, line_id in sorted(
                    provinces, key=lambda k: (k[0], k[1], line_sort(k[2]))
                )
            ],
            footer=[pgettext("report row", "Total"), "", "", "", *_measures(total)],
        ),
    ]
    for table in built:
        if not table.rows:
            table.footer = None  # a total of nothing would read as a forecast of zero
    return built


def accuracy_tables(rows: list[ForecastMonth]) -> list[Table]:
    """Accuracy per partner and month (by area, province, partner), and per area and month
    with the national rows; only months that are over."""
    closed = [r for r in rows if r.actual is not None]
    closed.sort(
        key=lambda r: (
            _area_rank(area_of(r.region)),
            _province_key(r.region),
            r.partner_name,
            r.partner_id,
            r.month,
        )
    )
    return [
        Table(
            key="forecast-accuracy-partners",
            title=_("Accuracy by partner"),
            columns=[
                Column(_("Partner")),
                Column(_("Province")),
                Column(_("Area")),
                Column(_("Month")),
                Column(_("Final forecast"), MONEY),
                Column(_("Actual ordered"), MONEY),
                Column(_("Accuracy"), PERCENT),
            ],
            rows=[
                [
                    r.partner_name,
                    province_label(r.region),
                    str(Area(area_of(r.region)).label),
                    _month(r.month),
                    r.final,
                    r.actual,
                    r.accuracy,
                ]
                for r in closed
            ],
        ),
        Table(
            key="forecast-accuracy-areas",
            title=_("Accuracy by area"),
            columns=[
                Column(_("Area")),
                Column(_("Month")),
                Column(_("Final forecast"), MONEY),
                Column(_("Actual ordered"), MONEY),
                Column(_("Accuracy"), PERCENT),
            ],
            rows=[
                [g.label, _month(g.month), g.final, g.actual, g.accuracy]
                for g in area_accuracy(closed)
            ],
        ),
    ]
