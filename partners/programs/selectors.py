"""Reads of the partner program: live scorecards, proposals and runs as each user may see them."""

from __future__ import annotations

from datetime import date
from typing import Any

import django_filters
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from partners.models import Partner, Tier
from partners.selectors import partner_can_manage
from prm.accounts.visibility import scope_to_partner

from .models import ProposalStatus, ScorecardCriterion, TierChange, TierEvaluationRun, TierProposal
from .scoring import explanations_compute, points_round, today


def partner_scorecard(partner: Partner, as_of: date | None = None) -> dict[str, Any] | None:
    """The live explanation for ONE partner: the batch's code path with partner_ids=[partner.id].

    None when the program has no active criteria yet. The caller has already checked that the
    reader may see `partner`.
    """
    _program, explanations = explanations_compute(
        partner_tiers={partner.pk: partner.tier_id},
        partner_ids=[partner.pk],
        as_of=as_of or today(),
    )
    return explanations.get(partner.pk)


def criteria_overview() -> list[dict[str, Any]]:
    """Every criterion with the points it is worth right now (inactive lines are worth 0)."""
    criteria = list(ScorecardCriterion.objects.select_related("kpi"))
    total = sum((c.weight for c in criteria if c.is_active), start=0)
    return [
        {
            "criterion": c,
            "max_points": points_round(c.weight * 100 / total) if c.is_active and total else None,
        }
        for c in criteria
    ]


def tiers_by_rank() -> QuerySet[Tier]:
    return Tier.objects.order_by("-rank")


def proposals_visible_to(user: Any) -> QuerySet[TierProposal]:
    return scope_to_partner(
        TierProposal.objects.select_related(
            "partner", "partner__channel_manager", "from_tier", "to_tier", "decided_by", "run"
        ),
        user,
    )


def proposal_get_visible(*, user: Any, pk: int) -> TierProposal | None:
    return proposals_visible_to(user).filter(pk=pk).first()


def proposal_can_decide(user: Any, proposal: TierProposal) -> bool:
    return proposal.status == ProposalStatus.PROPOSED and partner_can_manage(user, proposal.partner)


def runs_list() -> QuerySet[TierEvaluationRun]:
    return TierEvaluationRun.objects.select_related("actor")


def tier_history(partner: Partner, *, limit: int = 20) -> QuerySet[TierChange]:
    return partner.tier_changes.select_related("from_tier", "to_tier", "actor")[:limit]


class ProposalFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("Partner"))
    status = django_filters.ChoiceFilter(
        choices=ProposalStatus.choices, label=_("Status"), empty_label=_("All statuses")
    )
    tier = django_filters.ModelChoiceFilter(
        queryset=Tier.objects.order_by("-rank"),
        method="either_tier",
        label=_("Tier"),
        empty_label=_("All tiers"),
    )

    class Meta:
        model = TierProposal
        fields = ["status"]

    def either_tier(
        self, qs: QuerySet[TierProposal], name: str, value: Tier
    ) -> QuerySet[TierProposal]:
        """Proposals that move a partner into or out of the tier."""
        return qs.filter(Q(to_tier=value) | Q(from_tier=value))

    def search(self, qs: QuerySet[TierProposal], name: str, value: str) -> QuerySet[TierProposal]:
        return qs.filter(Q(partner__name__icontains=value) | Q(partner__name_en__icontains=value))
