"""The cockpit's market-fund figures, against numbers worked out by hand on the ROI report's own
world (tests/mdf/test_roi.py, whose docstring lists every request, claim, deal and order).

The manager M1 owns P1 and P2 (the cockpit's partners); P3 is M2's. The rows that matter:

=====  ===  ==========  ========================================================================
req    who  ends on     what counts
=====  ===  ==========  ========================================================================
R1     P1   2026-03-12  C1 approved 8,000.00; 30 leads, 4 new, 150,000.00 reported; attributed
                        D1 60,000.00 + O2 12,000.00 = 72,000.00
R3     P2   2026-03-21  C3b approved 4,000.00; 10, 1, 40,000.00; attributed 0.00
R2     P1   2026-04-20  C2 approved 12,000.00; 50, 6, 300,000.00; attributed O3 25,001.00 +
                        D2 45,000.00 = 70,001.00 (O2 is C1's, O9 fulfils C1's deal)
R6     P2   2026-06-16  claim only submitted: committed 6,000.00
R4     P3   2026-05-06  C4 approved 24,000.00, attributed 96,000.00: another manager's partner
R5     P3   2026-06-10  committed 8,000.00: another manager's partner
=====  ===  ==========  ========================================================================

2026 Q2 over P1 and P2 (R2, R6): 2 activities, spend 12,000.00, committed 6,000.00, 50 leads,
6 new customers, reported 300,000.00, attributed 70,001.00; ROI (70,001 - 12,000) / 12,000 =
4.833416… → 4.8334; revenue per 1 = 5.833416… → 5.8334.
March 2026 (R1, R3): spend 12,000.00, attributed 72,000.00, ROI 60,000 / 12,000 = 5.0000, 6.0000.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from partners.models import Partner
from partners.selectors import partners_visible_to
from reports.channel_figures import MdfSummary, mdf_activities, mdf_claims, mdf_summary
from tests.mdf.test_roi import World, build_world

from .conftest import month, quarter

pytestmark = pytest.mark.django_db

D = Decimal
Q2 = quarter(2026, 2)


@pytest.fixture
def world(vendor, vendor_admin, monkeypatch) -> World:
    # Claims are made before every deadline of the fixture (as tests/mdf/conftest.py does).
    monkeypatch.setattr("mdf.claims.tenant_today", lambda: date(2026, 1, 1))
    return build_world(vendor_admin)


def test_a_quarters_spend_and_roi_over_the_cockpits_partners(world, django_assert_num_queries):
    partners = partners_visible_to(world.m1)

    with django_assert_num_queries(1):
        summary = mdf_summary(partners=partners, period=Q2)

    assert summary == MdfSummary(
        activities=2,
        spend=D("12000.00"),
        committed=D("6000.00"),
        leads=50,
        new_customers=6,
        reported_revenue=D("300000.00"),
        attributed_revenue=D("70001.00"),
        roi=D("4.8334"),
        revenue_per_unit=D("5.8334"),
    )


def test_a_month_and_the_outside_partner(world):
    march = mdf_summary(partners=partners_visible_to(world.m1), period=month(2026, 3))
    theirs = mdf_summary(partners=Partner.objects.filter(pk=world.partners["P3"].pk), period=Q2)

    assert (march.activities, march.spend, march.committed, march.attributed_revenue) == (
        2,
        D("12000.00"),
        D("0.00"),
        D("72000.00"),
    )
    assert (march.roi, march.revenue_per_unit) == (D("5.0000"), D("6.0000"))
    # R4 and R5: (96,000 - 24,000) / 24,000 = 3
    assert (theirs.spend, theirs.committed, theirs.attributed_revenue, theirs.roi) == (
        D("24000.00"),
        D("8000.00"),
        D("96000.00"),
        D("3.0000"),
    )


def test_nothing_spent_has_no_roi(world):
    july = mdf_summary(partners=partners_visible_to(world.m1), period=month(2026, 7))
    nobody = mdf_summary(partners=Partner.objects.none(), period=Q2)

    # R7 ends on 07-01 but still waits for approval: not an activity of the report.
    assert (july.activities, july.spend, july.roi, july.revenue_per_unit) == (0, 0, None, None)
    assert (nobody.activities, nobody.spend, nobody.roi) == (0, D("0.00"), None)


def test_the_figures_drill_down_to_activities_and_claims(world):
    partners = partners_visible_to(world.m1)
    names = world.names()

    activities = mdf_activities(partners=partners, period=Q2)
    claims = mdf_claims(partners=partners, period=Q2)

    assert [names[r.number] for r in activities] == ["R2", "R6"]
    assert [c.pk for c in claims] == [world.claims["C2"].pk]
    assert sum(c.approved_amount for c in claims) == D("12000.00")
