"""A four-tier program with two custom-KPI criteria (weights 60 / 40) in vendor A."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

import pytest

from partners.models import Partner, Tier
from partners.programs.models import CustomKpi, Metric, PartnerKpiValue, ScorecardCriterion
from partners.programs.scoring import today


@pytest.fixture
def tiers(in_a: Any) -> SimpleNamespace:
    rows = [
        ("t-platinum", "铂金", "Platinum", 40, "85"),
        ("t-gold", "金牌", "Gold", 30, "65"),
        ("t-silver", "银牌", "Silver", 20, "40"),
        ("t-registered", "注册", "Registered", 10, "0"),
    ]
    made = {
        code.removeprefix("t-"): Tier.objects.create(
            code=code, name=zh, name_en=en, rank=rank, min_score=Decimal(minimum)
        )
        for code, zh, en, rank, minimum in rows
    }
    return SimpleNamespace(**made)


@pytest.fixture
def program(tiers: SimpleNamespace) -> SimpleNamespace:
    """Volume: target 100, weight 60. Satisfaction: target 90, weight 40."""
    volume = CustomKpi.objects.create(code="t-volume", name="项目数", name_en="Projects", unit="个")
    csat = CustomKpi.objects.create(
        code="t-csat", name="客户满意度", name_en="Customer satisfaction", unit="分"
    )
    first = ScorecardCriterion.objects.create(
        metric=Metric.CUSTOM, kpi=volume, target=Decimal("100"), weight=Decimal("60"), position=1
    )
    second = ScorecardCriterion.objects.create(
        metric=Metric.CUSTOM, kpi=csat, target=Decimal("90"), weight=Decimal("40"), position=2
    )
    return SimpleNamespace(tiers=tiers, volume=volume, csat=csat, first=first, second=second)


def record(partner: Partner, kpi: CustomKpi, value: str, on: date | None = None) -> PartnerKpiValue:
    """A KPI value, recorded today (in the vendor's zone) unless `on` says otherwise."""
    return PartnerKpiValue.objects.create(
        partner=partner, kpi=kpi, value=Decimal(value), recorded_on=on or today()
    )


def score_seventy(partner: Partner, program: SimpleNamespace) -> Partner:
    """Half the volume target (30.00 points) and full satisfaction (40.00): 70.00, gold."""
    record(partner, program.volume, "50")
    record(partner, program.csat, "90")
    return partner
