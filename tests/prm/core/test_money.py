from decimal import Decimal

import pytest

from prm.core.money import quantize, to_decimal
from prm.core.templatetags.humanize_money import money


@pytest.mark.parametrize(
    ("value", "currency", "expected"),
    [
        ("2.345", "CNY", Decimal("2.35")),
        ("2.344", "CNY", Decimal("2.34")),
        ("-2.345", "CNY", Decimal("-2.35")),
        ("0.005", "CNY", Decimal("0.01")),
        ("1234.5", "JPY", Decimal("1235")),
        (Decimal("10"), "USD", Decimal("10.00")),
    ],
)
def test_quantize_rounds_half_up_to_the_minor_unit(value, currency, expected):
    result = quantize(value, currency)
    assert result == expected
    assert result.as_tuple().exponent == expected.as_tuple().exponent


def test_floats_are_refused():
    with pytest.raises(TypeError):
        to_decimal(0.1)


def test_money_filter_groups_and_signs():
    assert money(Decimal("1234567.891"), "CNY") == "¥1,234,567.89"
    assert money(Decimal("-5"), "USD") == "-$5.00"
    assert money(None) == "—"
