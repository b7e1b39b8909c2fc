"""The scoreboard's figures, hand-computed from the fixture (see conftest): purchases by month of
two years, year to date and growth, targets and achievement per quarter and for the year."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from reports.models import SalesTarget
from reports.scoreboard import growth, purchases_build, rate, scoreboard_build

from .conftest import TODAY

pytestmark = pytest.mark.django_db

D = Decimal
Z = D("0.00")


def test_purchases_by_month_count_only_accepted_orders_in_the_vendors_months(sales):
    figures = purchases_build(sales.mine, year=2026, today=TODAY)

    assert figures.months == [date(2026, m, 1) for m in range(1, 13)]
    # Cancelled (2025-03), rejected (2026-02) and still submitted (2026-05-19) orders are left
    # out; 00:30 on 1 April in Shanghai is April, though still 31 March in UTC.
    assert figures.amounts == [D("4000.00"), D("2000.00"), Z, D("5000.00"), D("1000.00")] + [Z] * 7
    assert figures.last_year == [D("2000.00"), D("3000.00"), Z, Z, D("2000.00")] + [Z] * 5 + [
        D("4000.00"),
        Z,
    ]
    assert (figures.total, figures.total_last_year) == (D("12000.00"), D("11000.00"))


def test_year_to_date_and_growth_on_the_same_months_last_year(sales):
    figures = purchases_build(sales.mine, year=2026, today=TODAY)

    # January to May: 12,000.00 against 7,000.00; 5,000 / 7,000 = 0.714285… -> 0.7143
    assert (figures.ytd_months, figures.ytd, figures.ytd_last_year) == (
        5,
        D("12000.00"),
        D("7000.00"),
    )
    assert figures.growth == D("0.7143")


def test_a_past_year_counts_whole_and_its_year_before_had_nothing(sales):
    figures = purchases_build(sales.mine, year=2025, today=TODAY)

    assert (figures.ytd_months, figures.ytd, figures.ytd_last_year) == (12, D("11000.00"), Z)
    assert figures.growth is None  # nothing the year before
    assert figures.current_quarter is None
    q4 = figures.quarters[3]
    # 2025 Q4: 4,000.00 of 6,000.00
    assert (q4.target, q4.purchased, q4.achievement, q4.remaining) == (
        D("6000.00"),
        D("4000.00"),
        D("0.6667"),
        D("2000.00"),
    )
    assert (figures.year_target.target, figures.year_target.achievement) == (
        D("6000.00"),
        D("1.8333"),  # the year's target is only Q4's: 11,000 / 6,000
    )


def test_a_future_year_has_no_year_to_date_yet(sales):
    figures = purchases_build(sales.mine, year=2027, today=TODAY)

    assert (figures.ytd_months, figures.ytd, figures.growth) == (0, Z, None)
    assert figures.last_year[:5] == [D("4000.00"), D("2000.00"), Z, D("5000.00"), D("1000.00")]
    assert figures.year_target.target is None


def test_targets_and_achievement_per_quarter_and_for_the_year(sales):
    figures = purchases_build(sales.mine, year=2026, today=TODAY)

    rows = [
        (q.label, q.target, q.purchased, q.achievement, q.remaining, q.is_current)
        for q in figures.quarters
    ]
    assert rows == [
        # 6,000 / 5,500 = 1.090909…: over target, nothing remains
        ("Q1", D("5500.00"), D("6000.00"), D("1.0909"), Z, False),
        # 6,000 / 9,000 = 0.666…; the quarter of 20 May
        ("Q2", D("9000.00"), D("6000.00"), D("0.6667"), D("3000.00"), True),
        ("Q3", D("8000.00"), Z, D("0.0000"), D("8000.00"), False),
        ("Q4", None, Z, None, None, False),
    ]
    assert figures.current_quarter == figures.quarters[1]
    year = figures.year_target
    # 5,500 + 9,000 + 8,000 = 22,500; 12,000 / 22,500 = 0.5333…
    assert (year.quarter, year.target, year.purchased, year.achievement, year.remaining) == (
        None,
        D("22500.00"),
        D("12000.00"),
        D("0.5333"),
        D("10500.00"),
    )


def test_no_targets_at_all(sales):
    SalesTarget.objects.filter(partner=sales.mine).delete()

    figures = purchases_build(sales.mine, year=2026, today=TODAY)

    assert {(q.target, q.achievement, q.remaining) for q in figures.quarters} == {
        (None, None, None)
    }
    assert (figures.year_target.target, figures.year_target.achievement) == (None, None)


def test_another_partners_orders_and_targets_are_its_own(sales):
    figures = purchases_build(sales.theirs, year=2026, today=TODAY)

    assert figures.amounts[0] == D("7000.00")
    assert figures.total == D("7000.00")
    assert [q.target for q in figures.quarters] == [None, D("1.00"), None, None]


@pytest.mark.parametrize(
    ("part", "whole", "expected"),
    [
        ("1.00", "32.00", D("0.0313")),  # 0.03125: half-up, not to even
        ("2.00", "3.00", D("0.6667")),
        ("5.00", "0.00", None),
        ("5.00", None, None),
    ],
)
def test_rates_round_half_up_to_four_places(part, whole, expected):
    assert rate(D(part), D(whole) if whole else None) == expected


def test_growth_is_none_without_a_year_before_and_negative_when_down():
    assert growth(D("100.00"), Z) is None
    assert growth(D("50.00"), D("80.00")) == D("-0.3750")


def test_the_whole_scoreboard_holds_the_same_purchases(world):
    board = scoreboard_build(world.mine, year=2026, today=TODAY)

    assert board.purchases == purchases_build(world.mine, year=2026, today=TODAY)
    assert (board.partner, board.year, board.today) == (world.mine, 2026, TODAY)
