"""Demo scorecard for the `demo` vendor: four criteria, satisfaction scores, one evaluation run.

The demo runs in approval mode. Metrics whose module has not registered a provider yet
(collected payments, certified staff) score 0, so the first run mostly proposes demotions; the
seed rejects two of them with a reason, approves one and leaves the rest pending, so every
proposal state shows up on the pages.
"""

from __future__ import annotations

import random
from datetime import timedelta
from decimal import Decimal
from typing import Any

from auditlog.context import set_actor
from django.utils import timezone

from partners.models import Partner, PartnerStatus, ProgramSettings, Tier

from .models import CustomKpi, Metric, PartnerKpiValue, ProposalStatus, ScorecardCriterion
from .services import tier_evaluate, tier_proposal_decide, tier_thresholds_set

THRESHOLDS = {"platinum": "85", "gold": "65", "silver": "40", "registered": "0"}


def seed(*, partners: list[Partner], admin: Any, rng: random.Random) -> None:
    with set_actor(admin):
        existing = set(Tier.objects.filter(code__in=THRESHOLDS).values_list("code", flat=True))
        tier_thresholds_set(
            thresholds={c: v for c, v in THRESHOLDS.items() if c in existing}, actor=admin
        )
        csat = CustomKpi.objects.create(
            code="csat", name="客户满意度", name_en="Customer satisfaction", unit="分"
        )
        for position, (metric, kpi, target, weight) in enumerate(
            [
                (Metric.ROLLING_PURCHASES, None, "500000", "50"),
                (Metric.COLLECTED_PAYMENTS, None, "400000", "30"),
                (Metric.CERTIFIED_STAFF, None, "3", "10"),
                (Metric.CUSTOM, csat, "90", "10"),
            ]
        ):
            criterion = ScorecardCriterion(
                metric=metric,
                kpi=kpi,
                target=Decimal(target),
                weight=Decimal(weight),
                window_days=365,
                position=position,
            )
            criterion.full_clean()
            criterion.save()
        today = timezone.localdate()
        for partner in partners:
            if partner.status == PartnerStatus.APPLIED:
                continue
            # A survey each half-year: the older one is in the window too, but the latest counts.
            for days_ago in (rng.randint(150, 200), rng.randint(10, 40)):
                PartnerKpiValue.objects.create(
                    partner=partner,
                    kpi=csat,
                    value=Decimal(rng.randint(72, 98)),
                    recorded_on=today - timedelta(days=days_ago),
                )
        program = ProgramSettings.current()
        program.tier_auto_apply = False
        program.save()
        run = tier_evaluate(actor=admin)
        open_proposals = list(
            run.proposals.filter(status=ProposalStatus.PROPOSED)
            .select_related("partner")
            .order_by("partner__name")
        )
        for proposal in open_proposals[:2]:
            tier_proposal_decide(
                proposal=proposal,
                approve=False,
                actor=admin,
                reason="回款与认证数据尚未接入, 暂不降级 / payment and training data not yet "
                "connected; keeping the tier",
            )
        for proposal in open_proposals[2:3]:
            tier_proposal_decide(
                proposal=proposal,
                approve=True,
                actor=admin,
                reason="季度复核确认 / confirmed at the quarterly review",
            )
