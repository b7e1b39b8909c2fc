"""Rebate liability on the cockpit: what the partners' programs accrued for periods ending in the
selected period, what finance settled in it, and what is still owed as of now
(docs/cockpit_figures.md, "Rebate liability").

Settlement is a true-up (rebates.settlement): an accrual's settlements always add up to what was
paid for it, and settling again books `amount - settled` as an adjustment of either sign. So
what settling everything now would book, `amount - settled` summed over every accrual, is the
liability; a negative term is money paid on an accrual that a recalculation lowered, to be
taken back, and is reported apart as well.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Literal

from django.db import models
from django.db.models import ExpressionWrapper, F, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from partners.models import Partner
from prm.core.money import DECIMAL_PLACES, MAX_DIGITS
from prm.tenancy.selectors import tenant_today
from rebates.models import RebateAccrual, RebateSettlement

from .figures_numbers import ZERO, money_sum
from .periods import Period

Which = Literal["accrued", "outstanding"]
MONEY: Any = models.DecimalField(max_digits=MAX_DIGITS, decimal_places=DECIMAL_PLACES)


@dataclass(frozen=True)
class Liability:
    accrued: Decimal  # accruals of program periods ending in the period
    settled: Decimal  # settlements booked in the period (adjustments with their sign)
    outstanding: Decimal  # as of now: every accrual minus what was settled of it, net
    running: Decimal  # the part of `outstanding` for program periods not ended yet
    to_recover: Decimal  # over-settled accruals (a recalculation lowered them), as a positive sum


def _settled_so_far() -> Subquery:
    return Subquery(
        RebateSettlement.objects.filter(accrual=OuterRef("pk"))
        .order_by()
        .values("accrual")
        .annotate(total=Sum("amount"))
        .values("total"),
        output_field=MONEY,
    )


def _accruals(partners: QuerySet[Partner]) -> QuerySet[RebateAccrual]:
    """The partners' accruals, each with what was settled of it (`settled`) and what settling
    now would book (`due`)."""
    settled = Coalesce(_settled_so_far(), Value(ZERO), output_field=MONEY)
    return (
        RebateAccrual.objects.filter(partner__in=partners)
        .annotate(settled=settled)
        .annotate(due=ExpressionWrapper(F("amount") - F("settled"), output_field=MONEY))
    )


def _ends_in(period: Period) -> Q:
    return Q(period_end__gte=period.start, period_end__lt=period.end)


def rebate_liability(*, partners: QuerySet[Partner], period: Period) -> Liability:
    """Two queries."""
    today = tenant_today()
    accruals = _accruals(partners).aggregate(
        accrued=money_sum("amount", filter=_ends_in(period)),
        outstanding=money_sum("due"),
        running=money_sum("due", filter=Q(period_end__gte=today)),
        to_recover=money_sum(-F("due"), filter=Q(due__lt=0)),
    )
    since, until = period.bounds()
    settled = RebateSettlement.objects.filter(
        accrual__partner__in=partners, settled_at__gte=since, settled_at__lt=until
    ).aggregate(total=money_sum("amount"))
    return Liability(
        accrued=accruals["accrued"],
        settled=settled["total"],
        outstanding=accruals["outstanding"],
        running=accruals["running"],
        to_recover=accruals["to_recover"],
    )


def liability_accruals(
    *, partners: QuerySet[Partner], period: Period, which: Which = "accrued"
) -> QuerySet[RebateAccrual]:
    """The accruals behind `accrued` (periods ending in the period, zero rows left out) or
    behind `outstanding` (any period, something still to settle or to take back), each
    annotated with `settled` and `due`."""
    qs = _accruals(partners).select_related("program", "partner")
    if which == "accrued":
        qs = qs.filter(_ends_in(period)).exclude(amount=0)
    elif which == "outstanding":
        qs = qs.exclude(Q(due=0))
    else:
        raise ValueError(f"unknown liability figure {which!r}")
    return qs.order_by("period_end", "program__code", "partner__name", "pk")


def liability_settlements(
    *, partners: QuerySet[Partner], period: Period
) -> QuerySet[RebateSettlement]:
    """The settlements behind `settled`, in the order they were booked."""
    since, until = period.bounds()
    return (
        RebateSettlement.objects.filter(
            accrual__partner__in=partners, settled_at__gte=since, settled_at__lt=until
        )
        .select_related("accrual__program", "accrual__partner")
        .order_by("settled_at", "pk")
    )
