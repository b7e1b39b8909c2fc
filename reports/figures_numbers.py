"""The cockpit figures' one rounding rule for what is not money, and the money sum they share.

Rates are Decimal fractions half-up to 4 places, days half-up to 1 place, None when the
denominator is 0 (docs/cockpit_figures.md). Money is never rounded here: sums of 2-place
amounts are exact.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import models
from django.db.models import Sum, Value
from django.db.models.functions import Coalesce

from prm.core.money import DECIMAL_PLACES, MAX_DIGITS

RATE_PLACES = Decimal("0.0001")
DAYS_PLACES = Decimal("0.1")
ZERO = Decimal("0.00")
MICROSECONDS_A_DAY = 86_400 * 1_000_000


def rate(part: int | Decimal, whole: int | Decimal) -> Decimal | None:
    """part / whole, half-up to 4 places; None when `whole` is 0."""
    if not whole:
        return None
    return (Decimal(part) / Decimal(whole)).quantize(RATE_PLACES, rounding=ROUND_HALF_UP)


def mean_days(total: timedelta | None, count: int) -> Decimal | None:
    """The mean of `count` durations adding up to `total`, in days, half-up to 1 place; exact
    (counted in microseconds, never in floats)."""
    if not count or total is None:
        return None
    microseconds = (total.days * 86_400 + total.seconds) * 1_000_000 + total.microseconds
    return (Decimal(microseconds) / Decimal(MICROSECONDS_A_DAY * count)).quantize(
        DAYS_PLACES, rounding=ROUND_HALF_UP
    )


def money_sum(expression: Any, **kwargs: Any) -> Any:
    """Sum(expression), 0.00 when there are no rows; `filter=` passes through."""
    return Coalesce(
        Sum(expression, **kwargs),
        Value(ZERO),
        output_field=models.DecimalField(max_digits=MAX_DIGITS, decimal_places=DECIMAL_PLACES),
    )
