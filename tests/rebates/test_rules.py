"""The rebate arithmetic without a database: periods, bands, tier modes, caps, band validation."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import pytest
from django.utils import translation

from rebates.rules import apply_caps, band_errors, next_band, period_containing, periods, rebate_for

D = Decimal


@dataclass
class B:
    threshold_from: Decimal
    threshold_to: Decimal | None
    rate: Decimal | None = None
    fixed_amount: Decimal | None = None


# The issue's example: ≥ 500,000 → 3 %, ≥ 1,000,000 → 5 %.
ISSUE = [B(D("500000"), D("1000000"), D("3")), B(D("1000000"), None, D("5"))]
FIXED = [B(D("100"), D("200"), fixed_amount=D("10.00")), B(D("200"), None, fixed_amount=D("25.00"))]


@pytest.mark.parametrize(
    ("period_type", "day", "expected"),
    [
        ("month", date(2024, 2, 29), (date(2024, 2, 1), date(2024, 2, 29))),
        ("quarter", date(2024, 3, 31), (date(2024, 1, 1), date(2024, 3, 31))),
        ("quarter", date(2024, 4, 1), (date(2024, 4, 1), date(2024, 6, 30))),
        ("half", date(2024, 7, 1), (date(2024, 7, 1), date(2024, 12, 31))),
        ("year", date(2024, 12, 31), (date(2024, 1, 1), date(2024, 12, 31))),
    ],
)
def test_period_containing(period_type, day, expected):
    assert period_containing(period_type, day) == expected


def test_periods_are_clipped_to_the_program_and_custom_is_one_range():
    assert periods("quarter", date(2024, 2, 15), date(2024, 7, 10)) == [
        (date(2024, 2, 15), date(2024, 3, 31)),
        (date(2024, 4, 1), date(2024, 6, 30)),
        (date(2024, 7, 1), date(2024, 7, 10)),
    ]
    assert periods("custom", date(2024, 2, 15), date(2024, 7, 10)) == [
        (date(2024, 2, 15), date(2024, 7, 10))
    ]


@pytest.mark.parametrize(
    ("basis", "mode", "reached", "amount"),
    [
        ("1200000", "retroactive", D("1000000"), D("60000.00")),
        ("1200000", "marginal", D("1000000"), D("25000.00")),  # 500,000 x 3 % + 200,000 x 5 %
        ("1000000", "retroactive", D("1000000"), D("50000.00")),  # threshold hit exactly
        ("1000000", "marginal", D("1000000"), D("15000.00")),
        ("999999.99", "retroactive", D("500000"), D("30000.00")),  # 29,999.9997 half-up
        ("999999.99", "marginal", D("500000"), D("15000.00")),
        ("500000", "retroactive", D("500000"), D("15000.00")),
        ("499999.99", "retroactive", None, D("0.00")),
        ("-100", "marginal", None, D("0.00")),
        ("150", "retroactive", D("100"), D("10.00")),  # fixed amounts: the band reached
        ("250", "retroactive", D("200"), D("25.00")),
        ("250", "marginal", D("200"), D("35.00")),  # every band reached adds its amount
    ],
)
def test_rebate_for(basis, mode, reached, amount):
    bands = FIXED if reached in (D("100"), D("200")) else ISSUE
    band, value = rebate_for(D(basis), bands, mode)
    assert (band.threshold_from if band else None, value) == (reached, amount)


@pytest.mark.parametrize(
    ("basis", "expected"),
    [("0", D("500000")), ("500000", D("1000000")), ("1000000", None)],
)
def test_next_band(basis, expected):
    band = next_band(D(basis), ISSUE)
    assert (band.threshold_from if band else None) == expected


@pytest.mark.parametrize(
    ("amounts", "partner_cap", "program_cap", "expected"),
    [
        ({1: D("100.00"), 2: D("50.00")}, None, None, {1: D("100.00"), 2: D("50.00")}),
        ({1: D("100.00"), 2: D("50.00")}, D("80.00"), None, {1: D("80.00"), 2: D("50.00")}),
        # 100 / 100 / 100 to 100.00: 33.33 each and the cent left to the lowest id.
        (
            {1: D("100.00"), 2: D("100.00"), 3: D("100.00")},
            None,
            D("100.00"),
            {1: D("33.34"), 2: D("33.33"), 3: D("33.33")},
        ),
        ({1: D("0.00")}, None, D("0.00"), {1: D("0.00")}),
    ],
)
def test_apply_caps(amounts, partner_cap, program_cap, expected):
    capped = apply_caps(amounts, partner_cap=partner_cap, program_cap=program_cap)
    assert capped == expected
    if program_cap is not None and sum(amounts.values()) > program_cap:
        assert sum(capped.values()) == program_cap


@pytest.mark.parametrize(
    ("bands", "errors"),
    [
        (ISSUE, []),
        ([B(D("0"), D("100"))], [(0, "rate", "Give a rate or a fixed amount.")]),
        ([B(D("0"), None, D("101"))], [(0, "rate", "A rate is between 0 and 100 %.")]),
        (
            [B(D("0"), D("100"), D("1")), B(D("50"), None, D("2"))],
            [(1, "threshold_from", "This band overlaps the band from 0.00.")],
        ),
        (
            [B(D("10"), D("5"), D("1"))],
            [(0, "threshold_to", "The upper bound must be above the lower one.")],
        ),
    ],
)
def test_band_errors(bands, errors):
    with translation.override("en"):
        found = [(e.index, e.field, e.message) for e in band_errors(bands)]
    assert found == errors
