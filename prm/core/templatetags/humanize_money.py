from decimal import ROUND_HALF_UP, Decimal

from django import template
from django.utils.translation import get_language

from prm.core.money import MINOR_UNITS, quantize

register = template.Library()

CHINESE_STEPS = [(Decimal("100000000"), "亿"), (Decimal("10000"), "万")]
ENGLISH_STEPS = [(Decimal("1000000000"), "B"), (Decimal("1000000"), "M"), (Decimal("1000"), "K")]
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


def _short(amount: Decimal, steps: list[tuple[Decimal, str]]) -> str:
    for size, unit in steps:
        if abs(amount) >= size:
            return f"{(amount / size).quantize(Decimal('0.01'), rounding=ROUND_HALF_UP):,}{unit}"
    return f"{amount.quantize(Decimal('0.01'), rounding=ROUND_HALF_UP):,}"


@register.filter
def money_short(value: Decimal | int | str | None, currency: str = "CNY") -> str:
    """A large amount the way the reader counts: ¥26.71万 / ¥1.20亿 in Chinese, ¥267.10K in
    English. Cards use it; tables and exports keep the exact amount."""
    if value is None or value == "":
        return "—"
    amount = value if isinstance(value, Decimal) else Decimal(str(value))
    chinese = (get_language() or "").lower().startswith("zh")
    steps = CHINESE_STEPS if chinese else ENGLISH_STEPS
    sign = "-" if amount < 0 else ""
    return f"{sign}{SYMBOLS.get(currency or 'CNY', currency + ' ')}{_short(abs(amount), steps)}"


@register.filter
def percent(value: Decimal | None, places: int = 1) -> str:
    """A Decimal fraction as a percentage: 0.1234 → 12.3%."""
    if value is None or value == "":
        return "—"
    step = Decimal(1).scaleb(-int(places))
    return f"{(Decimal(value) * 100).quantize(step, rounding=ROUND_HALF_UP)}%"


@register.filter
def change(value: Decimal | None) -> str:
    """A growth rate with its sign: 0.125 → +12.5%, -0.03 → -3.0%."""
    if value is None or value == "":
        return "—"
    shown = percent(value)
    return shown if Decimal(value) < 0 else f"+{shown}"
