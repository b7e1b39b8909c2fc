from decimal import Decimal

from django import template

from prm.core.money import MINOR_UNITS, quantize

register = template.Library()

SYMBOLS = {"CNY": "¥", "USD": "$", "EUR": "€", "HKD": "HK$", "JPY": "¥", "KRW": "₩"}


@register.filter
def money(value: Decimal | int | str | None, currency: str = "CNY") -> str:
    """¥12,345.60 — grouped, rounded by the one money policy."""
    if value is None or value == "":
        return "—"
    currency = currency or "CNY"
    exact = value if isinstance(value, Decimal) else Decimal(str(value))
    amount = quantize(exact, currency) if currency in MINOR_UNITS else exact
    sign = "-" if amount < 0 else ""
    return f"{sign}{SYMBOLS.get(currency, currency + ' ')}{abs(amount):,}"
