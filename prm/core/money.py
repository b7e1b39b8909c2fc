"""Money: Decimal amounts with a currency, one rounding policy, never floats."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django.db import models

# ISO 4217 minor units for the currencies vendors here invoice in.
MINOR_UNITS: dict[str, int] = {"CNY": 2, "HKD": 2, "USD": 2, "EUR": 2, "JPY": 0, "KRW": 0}
CURRENCY_CHOICES = [(code, code) for code in MINOR_UNITS]

MAX_DIGITS = 18
DECIMAL_PLACES = 2


def to_decimal(value: Decimal | str | int) -> Decimal:
    """Build a Decimal from an exact representation; floats are refused, not silently rounded."""
    if isinstance(value, float):
        raise TypeError("money must not be built from float; pass a str or Decimal")
    return value if isinstance(value, Decimal) else Decimal(value)


def quantize(value: Decimal | str | int, currency: str = "CNY") -> Decimal:
    """Round half-up to the currency's minor unit: the only rounding the project does."""
    places = MINOR_UNITS[currency]
    exponent = Decimal(1).scaleb(-places)
    return to_decimal(value).quantize(exponent, rounding=ROUND_HALF_UP)


class MoneyField(models.DecimalField):
    """An amount column; its currency lives beside it (or on the tenant)."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        kwargs.setdefault("max_digits", MAX_DIGITS)
        kwargs.setdefault("decimal_places", DECIMAL_PLACES)
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
