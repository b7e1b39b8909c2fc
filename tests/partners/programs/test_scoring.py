"""Scorecard arithmetic: exact Decimal points, tier choice, the gap to the next tier, windows."""

from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from partners.models import PartnerStatus
from partners.programs.metrics import metric_provider, register_metric
from partners.programs.models import CustomKpi, Metric, ScorecardCriterion
from partners.programs.scoring import tier_for_score
from partners.programs.selectors import partner_scorecard
from tests.factories import make_partner

from .conftest import record, score_seventy

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")


def test_half_the_target_on_a_60_weight_line_and_full_on_40_scores_70(program):
    partner = score_seventy(make_partner(tier=program.tiers.silver), program)

    card = partner_scorecard(partner)

    assert [(c["value"], c["points"], c["max_points"]) for c in card["criteria"]] == [
        ("50.00", "30.00", "60.00"),
        ("90.00", "40.00", "40.00"),
    ]
    assert card["score"] == "70.00"
    assert card["current_tier"]["code"] == "t-silver"
    assert card["target_tier"]["code"] == "t-gold"


def test_weights_need_not_add_up_to_100(program):
    ScorecardCriterion.objects.filter(pk=program.first.pk).update(weight=Decimal("3"))
    ScorecardCriterion.objects.filter(pk=program.second.pk).update(weight=Decimal("2"))
    partner = score_seventy(make_partner(), program)

    card = partner_scorecard(partner)

    assert [c["points"] for c in card["criteria"]] == ["30.00", "40.00"]
    assert card["score"] == "70.00"


def test_values_above_target_are_capped_and_missing_values_score_zero(program):
    partner = make_partner()
    record(partner, program.volume, "250")

    card = partner_scorecard(partner)

    assert [(c["value"], c["points"], c["progress"]) for c in card["criteria"]] == [
        ("250.00", "60.00", 100),
        ("0.00", "0.00", 0),
    ]
    assert card["score"] == "60.00"
    assert card["target_tier"]["code"] == "t-silver"


def test_points_round_half_up_per_line_and_the_gap_rounds_up(tiers):
    kpis = [
        CustomKpi.objects.create(code=f"t-k{i}", name=f"指标{i}", name_en=f"KPI {i}")
        for i in range(3)
    ]
    for position, kpi in enumerate(kpis):
        ScorecardCriterion.objects.create(
            metric=Metric.CUSTOM,
            kpi=kpi,
            target=Decimal("3"),
            weight=Decimal("1"),
            position=position,
        )
    partner = make_partner()
    for kpi, value in zip(kpis, ["1", "2", "3"], strict=True):
        record(partner, kpi, value)

    card = partner_scorecard(partner)

    # 100/3 x 1/3 = 11.111…, 100/3 x 2/3 = 22.222…, 100/3 = 33.333…
    assert [c["points"] for c in card["criteria"]] == ["11.11", "22.22", "33.33"]
    assert card["score"] == "66.66"
    assert card["target_tier"]["code"] == "t-gold"
    upcoming = card["next_tier"]
    assert upcoming["code"] == "t-platinum"
    assert upcoming["points_missing"] == "18.34"
    # Line 1 needs 29.45 points: 29.45 x 3 / 33.33… = 2.6505 → +1.6505, rounded up to +1.66.
    # Line 2 would need 40.56 > 33.33 points: it cannot close the gap alone.
    assert upcoming["gaps"] == [
        {
            "criterion_id": ScorecardCriterion.objects.get(kpi=kpis[0]).pk,
            "metric": "custom",
            "label": "指标0",
            "label_en": "KPI 0",
            "unit": "",
            "more_value": "1.66",
            "room": "2.00",
        },
        {
            "criterion_id": ScorecardCriterion.objects.get(kpi=kpis[1]).pk,
            "metric": "custom",
            "label": "指标1",
            "label_en": "KPI 1",
            "unit": "",
            "more_value": None,
            "room": "1.00",
        },
    ]


def test_explanation_names_the_next_tier_and_the_exact_value_that_reaches_it(program):
    partner = score_seventy(make_partner(tier=program.tiers.gold), program)

    upcoming = partner_scorecard(partner)["next_tier"]

    # Platinum needs 85.00: 15.00 more points; on the volume line that is 25 more projects
    # (30.00 + 15.00 = 45.00 points = 75 of 100). Satisfaction is maxed and not listed.
    assert upcoming == {
        "id": program.tiers.platinum.pk,
        "code": "t-platinum",
        "name": "铂金",
        "name_en": "Platinum",
        "rank": 40,
        "min_score": "85.00",
        "points_missing": "15.00",
        "gaps": [
            {
                "criterion_id": program.first.pk,
                "metric": "custom",
                "label": "项目数",
                "label_en": "Projects",
                "unit": "个",
                "more_value": "25.00",
                "room": "50.00",
            }
        ],
    }


def test_the_top_tier_has_no_next_tier(program):
    partner = make_partner()
    record(partner, program.volume, "100")
    record(partner, program.csat, "95")

    card = partner_scorecard(partner)

    assert card["score"] == "100.00"
    assert card["target_tier"]["code"] == "t-platinum"
    assert card["next_tier"] is None


@pytest.mark.parametrize(
    ("score", "expected"),
    [
        ("100.00", "t-platinum"),
        ("85.00", "t-platinum"),
        ("84.99", "t-gold"),
        ("65.00", "t-gold"),
        ("64.99", "t-silver"),
        ("40.00", "t-silver"),
        ("39.99", "t-registered"),
        ("0.00", "t-registered"),
    ],
)
def test_tier_is_the_best_one_whose_minimum_the_score_reaches(tiers, score, expected):
    ordered = [tiers.platinum, tiers.gold, tiers.silver, tiers.registered]

    assert tier_for_score(ordered, Decimal(score)).code == expected


def test_latest_value_inside_the_window_counts(program):
    partner = make_partner()
    as_of = date(2026, 6, 30)
    record(partner, program.csat, "30", on=as_of - timedelta(days=200))
    record(partner, program.csat, "45", on=as_of - timedelta(days=10))  # latest in window
    record(partner, program.csat, "90", on=as_of + timedelta(days=1))  # after as_of
    record(partner, program.volume, "100", on=as_of - timedelta(days=365))  # just outside

    card = partner_scorecard(partner, as_of=as_of)

    assert [c["value"] for c in card["criteria"]] == ["0.00", "45.00"]
    assert card["score"] == "20.00"


def test_providers_are_asked_once_for_the_window_in_the_vendor_time_zone(program):
    calls = []

    def certified(*, partner_ids, since, until):
        calls.append((partner_ids, since, until))
        return {partner.pk: Decimal(1)}

    ScorecardCriterion.objects.filter(pk=program.first.pk).update(
        metric=Metric.CERTIFIED_STAFF, kpi=None, target=Decimal("3"), weight=Decimal("50")
    )
    ScorecardCriterion.objects.filter(pk=program.second.pk).update(weight=Decimal("50"))
    partner = make_partner()
    record(partner, program.csat, "90", on=date(2026, 6, 1))
    previous = metric_provider("certified_staff")
    register_metric("certified_staff", certified)
    try:
        card = partner_scorecard(partner, as_of=date(2026, 6, 30))
    finally:
        register_metric("certified_staff", previous)  # the academy's own provider comes back

    assert calls == [
        (
            [partner.pk],
            datetime(2025, 7, 1, tzinfo=SHANGHAI),
            datetime(2026, 7, 1, tzinfo=SHANGHAI),
        )
    ]
    # 1 of 3 engineers: 16.67 points; satisfaction 50.00; 66.67 is gold.
    assert card["score"] == "66.67"
    assert card["criteria"][0]["value"] == "1"
    # Platinum: 18.33 more points = 35.00 on staff = 2.1 engineers → 1.1 more, so 2 people.
    assert card["next_tier"]["gaps"][0]["more_value"] == "2"


def test_unregistered_metrics_score_zero(program):
    ScorecardCriterion.objects.filter(pk=program.first.pk).update(
        metric=Metric.COLLECTED_PAYMENTS, kpi=None
    )
    partner = score_seventy(make_partner(), program)

    card = partner_scorecard(partner)

    assert [c["points"] for c in card["criteria"]] == ["0.00", "40.00"]


def test_no_criteria_means_no_scorecard(tiers):
    assert partner_scorecard(make_partner(status=PartnerStatus.ACTIVE)) is None


def test_custom_criterion_must_name_its_kpi_and_only_custom_ones_do(program):
    from django.core.exceptions import ValidationError

    missing = ScorecardCriterion(metric=Metric.CUSTOM, target=Decimal("1"), weight=Decimal("1"))
    extra = ScorecardCriterion(
        metric=Metric.DEALS_WON, kpi=program.csat, target=Decimal("1"), weight=Decimal("1")
    )
    zero = ScorecardCriterion(metric=Metric.DEALS_WON, target=Decimal("0"), weight=Decimal("1"))

    for criterion, field in [(missing, "kpi"), (extra, "kpi"), (zero, "target")]:
        with pytest.raises(ValidationError) as caught:
            criterion.full_clean()
        assert field in caught.value.message_dict
