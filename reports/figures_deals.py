"""The deal-registration funnel of the cockpit: submitted → approved → won, with win rate,
approval rate and cycle time (docs/cockpit_figures.md, "Deal funnel").

The cohort is the registrations *submitted* in the period; every later stage is counted within
that cohort, whenever it happened, so the funnel of a closed month does not change shape when a
deal of another month is decided.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

from django.db import models
from django.db.models import Count, ExpressionWrapper, F, OuterRef, Q, QuerySet, Subquery, Sum

from deal_registration.models import DealRegistration, DealRegistrationStatusChange, DealStatus
from partners.models import Partner

from .figures_numbers import mean_days, money_sum, rate
from .periods import Period

Stage = Literal["submitted", "approved", "won", "lost"]

_STAGES: dict[str, Q] = {
    "submitted": Q(),
    "approved": Q(approved_at__isnull=False),
    "won": Q(status=DealStatus.WON),
    "lost": Q(status=DealStatus.LOST),
}


@dataclass(frozen=True)
class Funnel:
    submitted: int
    submitted_amount: Decimal
    approved: int
    approved_amount: Decimal
    won: int
    won_amount: Decimal
    lost: int
    lost_amount: Decimal
    win_rate: Decimal | None  # won / (won + lost)
    approval_rate: Decimal | None  # approved / submitted
    avg_cycle_days: Decimal | None  # submitted → won, mean over the won deals


def _cohort(
    *, partners: QuerySet[Partner], period: Period, product_line_id: int | None
) -> QuerySet[DealRegistration]:
    since, until = period.bounds()
    qs = DealRegistration.objects.filter(
        partner__in=partners, submitted_at__gte=since, submitted_at__lt=until
    )
    if product_line_id is not None:
        qs = qs.filter(product_line_id=product_line_id)
    return qs


def _won_at() -> Subquery:
    """When the registration moved to won (its status history; a won deal moves there once)."""
    return Subquery(
        DealRegistrationStatusChange.objects.filter(
            registration=OuterRef("pk"), to_status=DealStatus.WON
        )
        .order_by("created_at", "pk")
        .values("created_at")[:1]
    )


def deal_funnel(
    *, partners: QuerySet[Partner], period: Period, product_line_id: int | None = None
) -> Funnel:
    """One query."""
    won, lost, approved = _STAGES["won"], _STAGES["lost"], _STAGES["approved"]
    cycle = ExpressionWrapper(F("won_at") - F("submitted_at"), output_field=models.DurationField())
    totals = (
        _cohort(partners=partners, period=period, product_line_id=product_line_id)
        .annotate(won_at=_won_at())
        .aggregate(
            submitted=Count("pk"),
            submitted_amount=money_sum("estimated_amount"),
            approved=Count("pk", filter=approved),
            approved_amount=money_sum("estimated_amount", filter=approved),
            won=Count("pk", filter=won),
            won_amount=money_sum("estimated_amount", filter=won),
            lost=Count("pk", filter=lost),
            lost_amount=money_sum("estimated_amount", filter=lost),
            cycle_total=Sum(cycle, filter=won & Q(won_at__isnull=False)),
            cycled=Count("pk", filter=won & Q(won_at__isnull=False)),
        )
    )
    return Funnel(
        submitted=totals["submitted"],
        submitted_amount=totals["submitted_amount"],
        approved=totals["approved"],
        approved_amount=totals["approved_amount"],
        won=totals["won"],
        won_amount=totals["won_amount"],
        lost=totals["lost"],
        lost_amount=totals["lost_amount"],
        win_rate=rate(totals["won"], totals["won"] + totals["lost"]),
        approval_rate=rate(totals["approved"], totals["submitted"]),
        avg_cycle_days=mean_days(totals["cycle_total"], totals["cycled"]),
    )


def funnel_deals(
    *,
    partners: QuerySet[Partner],
    period: Period,
    product_line_id: int | None = None,
    stage: Stage = "submitted",
) -> QuerySet[DealRegistration]:
    """The registrations behind one stage of the funnel, first submitted first."""
    if stage not in _STAGES:
        raise ValueError(f"unknown funnel stage {stage!r}")
    return (
        _cohort(partners=partners, period=period, product_line_id=product_line_id)
        .filter(_STAGES[stage])
        .select_related("partner", "product_line", "region")
        .order_by("submitted_at", "pk")
    )
