"""Reads of rebates: who sees which accrual, a partner's live progress, an accrual's explanation,
and the rows of a rebate statement."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

import django_filters
from django.db.models import Q, QuerySet, Sum
from django.utils.translation import gettext_lazy as _

from partners.models import Partner
from prm.accounts.visibility import scope_to_partner
from prm.tenancy.selectors import tenant_today

from .engine import program_partners
from .models import (
    PeriodType,
    ProgramStatus,
    RebateAccrual,
    RebateProgram,
    RebateSettlement,
    RebateTier,
)
from .rules import band_reached, next_band, period_containing, rebate_for


def accruals_visible_to(user: Any) -> QuerySet[RebateAccrual]:
    return scope_to_partner(
        RebateAccrual.objects.select_related("program", "partner", "tier"), user
    ).annotate(settled=Sum("settlements__amount"))


def accruals_listed(user: Any) -> QuerySet[RebateAccrual]:
    """The lists leave out periods where nothing happened (every eligible partner has a row,
    at zero, so its progress can be shown); anything once settled stays."""
    return accruals_visible_to(user).exclude(Q(basis=0) & Q(amount=0) & Q(settlements__isnull=True))


def accrual_get_visible(*, user: Any, pk: int) -> RebateAccrual | None:
    return accruals_visible_to(user).filter(pk=pk).first()


def settlements_visible_to(user: Any) -> QuerySet[RebateSettlement]:
    return scope_to_partner(
        RebateSettlement.objects.select_related("accrual__program", "accrual__partner"),
        user,
        partner_path="accrual__partner",
    )


class AccrualFilter(django_filters.FilterSet):
    program = django_filters.ModelChoiceFilter(
        queryset=RebateProgram.objects.all(), label=_("Program"), empty_label=_("All")
    )
    period_start = django_filters.DateFilter(label=_("Period from"))
    q = django_filters.CharFilter(
        field_name="partner__name", lookup_expr="icontains", label=_("Partner")
    )

    class Meta:
        model = RebateAccrual
        fields = ["program", "period_start", "q"]


def current_period(program: RebateProgram, today: date) -> tuple[date, date] | None:
    """The program's period containing `today`, or None outside the program's dates."""
    if not program.starts_on <= today <= program.ends_on:
        return None
    if program.period_type == PeriodType.CUSTOM:
        return program.starts_on, program.ends_on
    start, end = period_containing(program.period_type, today)
    return max(start, program.starts_on), min(end, program.ends_on)


@dataclass(frozen=True)
class Progress:
    program: RebateProgram
    period: tuple[date, date]
    basis: Decimal
    tier: RebateTier | None
    accrued: Decimal
    next_tier: RebateTier | None
    to_next: Decimal | None  # how much more basis reaches the next tier
    at_next: Decimal | None  # what the period would pay on reaching it


def partner_progress(partner: Partner, *, today: date | None = None) -> list[Progress]:
    """Every active program's current period for `partner`, as last computed."""
    today = today or tenant_today()
    programs = list(
        RebateProgram.objects.filter(status=ProgramStatus.ACTIVE).prefetch_related("bands")
    )
    found = []
    for program in programs:
        period = current_period(program, today)
        if period is None or not program_partners(program).filter(pk=partner.pk).exists():
            continue
        accrual = RebateAccrual.objects.filter(
            program=program, partner=partner, period_start=period[0]
        ).first()
        bands = sorted(program.bands.all(), key=lambda b: b.threshold_from)
        basis = accrual.basis if accrual else Decimal("0.00")
        bonus = accrual.bonus if accrual else Decimal("0.00")
        upcoming = next_band(basis, bands)
        found.append(
            Progress(
                program=program,
                period=period,
                basis=basis,
                tier=band_reached(basis, bands),  # type: ignore[arg-type]
                accrued=accrual.amount if accrual else Decimal("0.00"),
                next_tier=upcoming,  # type: ignore[arg-type]
                to_next=upcoming.threshold_from - basis if upcoming else None,
                at_next=_capped(
                    program,
                    rebate_for(upcoming.threshold_from, bands, program.tier_mode)[1] + bonus,
                )
                if upcoming
                else None,
            )
        )
    return found


def _capped(program: RebateProgram, amount: Decimal) -> Decimal:
    """What the partner would be paid, bonuses included, within its cap (the program cap
    depends on everyone else and is left out)."""
    return amount if program.partner_cap is None else min(amount, program.partner_cap)
