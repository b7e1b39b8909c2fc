"""The arithmetic of a rebate program, without the database: its periods, the band a basis
reaches, what that pays in each tier mode, caps, and which band lists are valid.

Bands are half-open: ``[threshold_from, threshold_to)``, the last one without an upper bound.

* **Retroactive**: the band containing the basis sets the rate for the whole basis
  (1,200,000 at "≥ 1,000,000 → 5 %" pays 60,000.00).
* **Marginal**: each band pays its rate on the part of the basis inside it
  (1,200,000 with [500,000, 1,000,000) at 3 % and [1,000,000, ∞) at 5 % pays
  500,000 x 3 % + 200,000 x 5 % = 25,000.00).
* A band with a fixed amount pays that amount once the basis reaches it: in retroactive mode only
  the band reached pays; in marginal mode every band reached adds its amount.

Amounts are rounded half-up to the cent (`prm.core.money.quantize`) once, at the end.
"""

from __future__ import annotations

import calendar
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from itertools import pairwise
from typing import Protocol

from django.utils.translation import gettext as _

from prm.core.money import quantize

from .models import PeriodType, TierMode

HUNDRED = Decimal(100)


class Band(Protocol):
    threshold_from: Decimal
    threshold_to: Decimal | None
    rate: Decimal | None
    fixed_amount: Decimal | None


# --- periods ------------------------------------------------------------------------------------

_MONTHS = {PeriodType.MONTH: 1, PeriodType.QUARTER: 3, PeriodType.HALF: 6, PeriodType.YEAR: 12}


def period_containing(period_type: str, day: date) -> tuple[date, date]:
    """The calendar period of `period_type` that contains `day` (not for custom ranges)."""
    months = _MONTHS[PeriodType(period_type)]
    first_month = (day.month - 1) // months * months + 1
    last_month = first_month + months - 1
    start = date(day.year, first_month, 1)
    end = date(day.year, last_month, calendar.monthrange(day.year, last_month)[1])
    return start, end


def periods(period_type: str, starts_on: date, ends_on: date) -> list[tuple[date, date]]:
    """The program's periods, calendar-aligned and clipped to [starts_on, ends_on]."""
    if PeriodType(period_type) == PeriodType.CUSTOM:
        return [(starts_on, ends_on)]
    found = []
    day = starts_on
    while day <= ends_on:
        start, end = period_containing(period_type, day)
        found.append((max(start, starts_on), min(end, ends_on)))
        day = end + timedelta(days=1)
    return found


# --- bands --------------------------------------------------------------------------------------


def band_reached(basis: Decimal, bands: Sequence[Band]) -> Band | None:
    """The band whose range contains `basis`, or None below the first threshold."""
    for band in bands:
        upper = band.threshold_to
        if basis >= band.threshold_from and (upper is None or basis < upper):
            return band
    return None


def _band_value(band: Band, amount: Decimal) -> Decimal:
    if band.rate is not None:
        return amount * band.rate / HUNDRED
    return band.fixed_amount or Decimal(0)


def rebate_for(basis: Decimal, bands: Sequence[Band], mode: str) -> tuple[Band | None, Decimal]:
    """(band reached, amount) for `basis`; bands sorted by threshold and valid."""
    reached = band_reached(basis, bands)
    if reached is None or basis <= 0:
        return reached, Decimal("0.00")
    if TierMode(mode) == TierMode.RETROACTIVE:
        return reached, quantize(_band_value(reached, basis))
    total = Decimal(0)
    for band in bands:
        if basis < band.threshold_from:
            break
        upper = basis if band.threshold_to is None else min(basis, band.threshold_to)
        if band.rate is not None:
            total += (upper - band.threshold_from) * band.rate / HUNDRED
        else:
            total += band.fixed_amount or Decimal(0)
    return reached, quantize(total)


def next_band(basis: Decimal, bands: Sequence[Band]) -> Band | None:
    """The first band above the one reached (what the partner is working towards)."""
    return next((band for band in bands if band.threshold_from > basis), None)


# --- caps ---------------------------------------------------------------------------------------


def apply_caps(
    amounts: Mapping[int, Decimal], *, partner_cap: Decimal | None, program_cap: Decimal | None
) -> dict[int, Decimal]:
    """Each partner's amount at most `partner_cap`; if their sum exceeds `program_cap`, each is
    scaled by cap / sum, rounded half-up, and the cents left over by rounding go to the largest
    remainders (ties: lower partner id) so the total is exactly the cap."""
    capped = {
        pid: min(amount, partner_cap) if partner_cap is not None else amount
        for pid, amount in amounts.items()
    }
    total = sum(capped.values(), Decimal(0))
    if program_cap is None or total <= program_cap or total == 0:
        return capped
    cent = Decimal("0.01")
    exact = {pid: amount * program_cap / total for pid, amount in capped.items()}
    floored = {pid: (value // cent) * cent for pid, value in exact.items()}
    left = int((program_cap - sum(floored.values(), Decimal(0))) / cent)
    order = sorted(exact, key=lambda pid: (-(exact[pid] - floored[pid]), pid))
    for pid in order[:left]:
        floored[pid] += cent
    return floored


# --- validation ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class BandError:
    index: int  # position in the list as entered
    field: str
    message: str


def band_errors(bands: Sequence[Band]) -> list[BandError]:
    """Why a list of bands cannot be saved: each band pays a rate or a fixed amount (not both,
    not neither), a rate is at most 100 %, its upper bound is above its lower one, and no two
    bands overlap."""
    errors = []
    for index, band in enumerate(bands):
        has_rate, has_fixed = band.rate is not None, band.fixed_amount is not None
        if not has_rate and not has_fixed:
            errors.append(BandError(index, "rate", _("Give a rate or a fixed amount.")))
        elif has_rate and has_fixed:
            errors.append(
                BandError(index, "fixed_amount", _("Give a rate or a fixed amount, not both."))
            )
        if has_rate and band.rate is not None and not Decimal(0) <= band.rate <= HUNDRED:
            errors.append(BandError(index, "rate", _("A rate is between 0 and 100 %.")))
        if band.threshold_to is not None and band.threshold_to <= band.threshold_from:
            errors.append(
                BandError(index, "threshold_to", _("The upper bound must be above the lower one."))
            )
    ordered = sorted(range(len(bands)), key=lambda i: bands[i].threshold_from)
    for before, after in pairwise(ordered):
        upper = bands[before].threshold_to
        if upper is None or upper > bands[after].threshold_from:
            errors.append(
                BandError(
                    after,
                    "threshold_from",
                    _("This band overlaps the band from %(start)s.")
                    % {"start": f"{bands[before].threshold_from:.2f}"},
                )
            )
    return errors
