"""The partner scoreboard: one partner's purchases, targets and achievement, rebate progress,
market funds, certification and tier, as one value the pages, exports and the document read.

Purchases are the monthly rollups' counted orders (`PartnerMonth.ordered_amount`, in the
vendor's months). Year-to-date runs from January to the month of `today` for the current year,
the whole year for a past year and nothing for a future one; growth compares it with the same
months a year earlier. Rates are Decimal fractions rounded half-up to 4 places.

The caller has already checked that the reader may see `partner` (`partners_visible_to`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from partners.models import Partner

from .models import PartnerMonth, SalesTarget
from .periods import add_months
from .scoreboard_cards import (
    Certification,
    RebateLine,
    certification_of,
    mdf_available,
    rebates_of,
    tier_of,
)

ZERO = Decimal("0.00")
RATE = Decimal("0.0001")
QUARTERS = (1, 2, 3, 4)


def rate(part: Decimal, whole: Decimal | None) -> Decimal | None:
    """part / whole as a fraction rounded half-up to 4 places; None without a positive whole."""
    if whole is None or whole <= 0:
        return None
    return (part / whole).quantize(RATE, rounding=ROUND_HALF_UP)


def growth(now: Decimal, before: Decimal) -> Decimal | None:
    """(now - before) / before; None when there was nothing before."""
    if before == 0:
        return None
    return ((now - before) / before).quantize(RATE, rounding=ROUND_HALF_UP)


def quarter_of(day: date) -> int:
    return (day.month - 1) // 3 + 1


@dataclass(frozen=True)
class TargetLine:
    """One quarter (quarter 1-4) or the whole year (quarter None) against its target."""

    quarter: int | None
    target: Decimal | None  # None: no target set
    purchased: Decimal
    achievement: Decimal | None  # purchased / target
    remaining: Decimal | None  # what is still missing to reach the target, never negative
    is_current: bool = False

    @property
    def label(self) -> str:
        return f"Q{self.quarter}" if self.quarter else ""


@dataclass(frozen=True)
class Purchases:
    """Counted orders by month of `year` and the year before, and the targets of `year`."""

    year: int
    months: list[date]  # the 12 months of `year`
    amounts: list[Decimal]  # per month of `year`
    last_year: list[Decimal]  # per month of the year before
    ytd_months: int  # how many months of `year` the year-to-date covers
    ytd: Decimal
    ytd_last_year: Decimal  # the same months a year earlier
    growth: Decimal | None
    quarters: list[TargetLine]
    year_target: TargetLine

    @property
    def previous_year(self) -> int:
        return self.year - 1

    @property
    def total(self) -> Decimal:
        return sum(self.amounts, ZERO)

    @property
    def total_last_year(self) -> Decimal:
        return sum(self.last_year, ZERO)

    @property
    def current_quarter(self) -> TargetLine | None:
        return next((q for q in self.quarters if q.is_current), None)


@dataclass(frozen=True)
class Scoreboard:
    partner: Partner
    year: int
    today: date
    purchases: Purchases
    rebates: list[RebateLine]
    mdf_available: Decimal
    certification: Certification
    scorecard: dict[str, Any] | None  # partners.programs.scoring.explain; None without criteria


def _ytd_months(year: int, today: date) -> int:
    if year < today.year:
        return 12
    if year > today.year:
        return 0
    return today.month


def _monthly(partner: Partner, year: int) -> dict[date, Decimal]:
    """Counted orders per month of `year` and the year before (one query)."""
    start = date(year - 1, 1, 1)
    rows = (
        PartnerMonth.objects.filter(
            partner=partner, month__gte=start, month__lt=add_months(start, 24)
        )
        .order_by()
        .values_list("month", "ordered_amount")
    )
    return dict(rows)


def _target_lines(
    partner: Partner, year: int, purchases: list[Decimal], today: date
) -> tuple[list[TargetLine], TargetLine]:
    targets: dict[int, Decimal] = dict(
        SalesTarget.objects.filter(partner=partner, year=year)
        .order_by()
        .values_list("quarter", "amount")
    )
    current = quarter_of(today) if year == today.year else None
    lines = []
    for quarter in QUARTERS:
        bought = sum(purchases[(quarter - 1) * 3 : quarter * 3], ZERO)
        lines.append(_line(quarter, targets.get(quarter), bought, is_current=quarter == current))
    year_target = sum(targets.values(), ZERO) if targets else None
    return lines, _line(None, year_target, sum(purchases, ZERO))


def _line(
    quarter: int | None, target: Decimal | None, bought: Decimal, *, is_current: bool = False
) -> TargetLine:
    return TargetLine(
        quarter=quarter,
        target=target,
        purchased=bought,
        achievement=rate(bought, target),
        remaining=max(target - bought, ZERO) if target is not None else None,
        is_current=is_current,
    )


def purchases_build(partner: Partner, *, year: int, today: date) -> Purchases:
    """Purchases and targets only (two queries): what the exports need."""
    by_month = _monthly(partner, year)
    months = [date(year, m, 1) for m in range(1, 13)]
    amounts = [by_month.get(m, ZERO) for m in months]
    last_year = [by_month.get(add_months(m, -12), ZERO) for m in months]
    covered = _ytd_months(year, today)
    ytd = sum(amounts[:covered], ZERO)
    ytd_before = sum(last_year[:covered], ZERO)
    quarters, year_line = _target_lines(partner, year, amounts, today)
    return Purchases(
        year=year,
        months=months,
        amounts=amounts,
        last_year=last_year,
        ytd_months=covered,
        ytd=ytd,
        ytd_last_year=ytd_before,
        growth=growth(ytd, ytd_before) if covered else None,
        quarters=quarters,
        year_target=year_line,
    )


def scoreboard_build(partner: Partner, *, year: int, today: date) -> Scoreboard:
    """Everything the scoreboard shows for `partner` in `year`, as of `today` (the vendor's)."""
    return Scoreboard(
        partner=partner,
        year=year,
        today=today,
        purchases=purchases_build(partner, year=year, today=today),
        rebates=rebates_of(partner, today),
        mdf_available=mdf_available(partner),
        certification=certification_of(partner, today),
        scorecard=tier_of(partner, today),
    )
