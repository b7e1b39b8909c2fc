"""The scoreboard's cards read through their owners: rebate progress, the market funds balance,
certification and the tier with what the next one needs (fixture: see conftest)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import translation

from reports.scoreboard import scoreboard_build

from .conftest import TODAY

pytestmark = pytest.mark.django_db

D = Decimal


def test_rebate_progress_shows_the_basis_so_far_the_band_and_what_is_missing(world):
    with translation.override("en"):
        board = scoreboard_build(world.mine, year=2026, today=TODAY)

    (line,) = board.rebates
    assert (line.code, line.name, line.period) == (
        "q-buy",
        "Quarterly purchase rebate",
        (date(2026, 4, 1), date(2026, 6, 30)),
    )
    assert (line.basis, line.band) == (D("600000.00"), "500,000 – 1,000,000: 3%")
    # 1,000,000 - 600,000 more; retroactive 5% of 1,000,000 at the next band
    assert (line.next_band, line.missing, line.at_next) == (
        "1,000,000 – ∞: 5%",
        D("400000.00"),
        D("50000.00"),
    )


def test_market_funds_available_in_open_funds_only(world):
    board = scoreboard_build(world.mine, year=2026, today=TODAY)

    # 10,000.00 allocated, 2,500.00 reserved; the closed fund's 3,000.00 does not count
    assert board.mdf_available == D("7500.00")
    assert scoreboard_build(world.theirs, year=2026, today=TODAY).mdf_available == D("5000.00")


def test_certification_counts_people_and_certificates_expiring_soon(world):
    board = scoreboard_build(world.mine, year=2026, today=TODAY)

    c = board.certification
    # The dealer, the clerk and a colleague are active; the dealer and the colleague hold the
    # required course, the clerk does not yet.
    assert (c.people, c.required, c.certified, c.to_certify) == (3, 3, 2, 1)
    # Only the dealer's certificate ends within 30 days; the former colleague's and the other
    # partner's are not this company's concern.
    assert [(x.holder_name, x.expires_on) for x in c.expiring] == [
        ("王经理", TODAY + timedelta(days=10))
    ]


def test_tier_score_and_what_the_next_tier_needs(world):
    board = scoreboard_build(world.mine, year=2026, today=TODAY)

    scorecard = board.scorecard
    assert scorecard is not None
    # 365 days to 20 May 2026: 4,000 (Nov 2025) + 12,000 (2026) = 16,000 of 20,000 -> 80.00
    assert scorecard["score"] == "80.00"
    assert scorecard["current_tier"]["code"] == "t-silver"
    assert scorecard["target_tier"]["code"] == "t-gold"
    upcoming = scorecard["next_tier"]
    assert (upcoming["code"], upcoming["points_missing"]) == ("t-platinum", "5.00")
    # 85 points need 17,000.00 of purchases: 1,000.00 more
    assert [g["more_value"] for g in upcoming["gaps"]] == ["1000.00"]


def test_cards_without_programs_funds_or_courses(sales):
    board = scoreboard_build(sales.mine, year=2026, today=TODAY)

    assert board.rebates == []
    assert board.mdf_available == D("0.00")
    c = board.certification
    assert (c.people, c.required, c.certified, c.expiring) == (2, 0, 0, [])
    assert board.scorecard is None
