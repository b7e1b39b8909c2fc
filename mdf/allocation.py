"""Who shares a fund, and how much each gets (费用分配).

Eligible partners are the active ones in the fund's tiers and regions (no tier or region chosen:
all of them). A fund allocates in one of two ways:
- fixed: each eligible partner gets `fixed_amount`, at activation and, for partners who become
  eligible later, in the nightly run;
- accrued: each eligible partner's allocation grows to `accrual_rate` % of its purchases in the
  fund's period (orders the vendor accepted, less returns received), half-up to the cent.

Allocations only grow: a partner who falls out of the tiers keeps what it was given, and returns
after the money was spent do not take it back. The budget is a cap: once it is allocated, later
partners (in partner order) get what is left, and the run reports the shortfall.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import DecimalField, OuterRef, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from orders.metrics import COUNTED
from orders.models import Order, ReturnRequest, ReturnStatus
from partners.models import Partner, PartnerStatus
from prm.accounts.access import active_user
from prm.accounts.roles import Role
from prm.core.money import DECIMAL_PLACES, MAX_DIGITS, quantize
from prm.core.templatetags.humanize_money import money
from prm.core.workflow import transition
from prm.tenancy.selectors import tenant_zone

from .ledger import ZERO, fund_allocate
from .models import (
    FUND_TRANSITIONS,
    AllocationMode,
    FundStatus,
    MdfAllocation,
    MdfFund,
    MdfFundStatusChange,
)

log = logging.getLogger(__name__)

MANAGER_ROLES = frozenset({Role.ADMIN, Role.MARKETING})


@dataclass
class AllocationRun:
    """What one run gave, and what the budget could not cover."""

    given: dict[int, Decimal] = field(default_factory=dict)
    short: dict[int, Decimal] = field(default_factory=dict)

    @property
    def total(self) -> Decimal:
        return sum(self.given.values(), ZERO)


def fund_can_manage(user: Any) -> bool:
    return bool(active_user(user) and user.is_vendor_staff and user.role in MANAGER_ROLES)


def partners_eligible(fund: MdfFund) -> QuerySet[Partner]:
    partners = Partner.objects.filter(status=PartnerStatus.ACTIVE)
    tiers = list(fund.tiers.values_list("pk", flat=True))
    if tiers:
        partners = partners.filter(tier_id__in=tiers)
    names = {n for pair in fund.regions.values_list("name", "name_en") for n in pair if n}
    if names or fund.regions.exists():
        # A partner's region is its province's name, as price lists match it.
        partners = partners.filter(region__in=names)
    return partners.order_by("pk")


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=tenant_zone())


def purchases_in_period(fund: MdfFund, partner_ids: list[int]) -> dict[int, Decimal]:
    """Each partner's accepted orders placed in the fund's period (vendor's calendar), less the
    credit of returns received against them."""
    since, until = _day_start(fund.starts_on), _day_start(fund.ends_on + timedelta(days=1))
    returned = (
        ReturnRequest.objects.filter(order=OuterRef("pk"), status=ReturnStatus.RECEIVED)
        .order_by()
        .values("order")
        .annotate(total=Sum("refund_total"))
        .values("total")
    )
    money_field: DecimalField[Decimal, Decimal] = DecimalField(
        max_digits=MAX_DIGITS, decimal_places=DECIMAL_PLACES
    )
    rows = (
        Order.objects.filter(
            partner_id__in=partner_ids,
            status__in=COUNTED,
            created_at__gte=since,
            created_at__lt=until,
        )
        .annotate(returned=Coalesce(Subquery(returned, output_field=money_field), Value(ZERO)))
        .order_by()
        .values("partner_id")
        .annotate(net=Sum("total") - Sum("returned"))
        .values_list("partner_id", "net")
    )
    return {partner_id: max(net, ZERO) for partner_id, net in rows}


def _targets(fund: MdfFund, partners: list[Partner]) -> dict[int, Decimal]:
    if fund.allocation_mode == AllocationMode.FIXED:
        assert fund.fixed_amount is not None
        return {p.pk: fund.fixed_amount for p in partners}
    assert fund.accrual_rate is not None
    bought = purchases_in_period(fund, [p.pk for p in partners])
    return {p.pk: quantize(bought.get(p.pk, ZERO) * fund.accrual_rate / 100) for p in partners}


def _memo(fund: MdfFund, target: Decimal) -> str:
    if fund.allocation_mode == AllocationMode.FIXED:
        return _("Fixed allocation")
    return _("%(rate)s%% of purchases in the fund's period: %(target)s so far") % {
        "rate": fund.accrual_rate.normalize() if fund.accrual_rate is not None else "",
        "target": money(target),
    }


@transaction.atomic
def allocations_sync(fund: MdfFund, *, actor: Any = None) -> AllocationRun:
    """Bring every eligible partner's allocation up to what the fund's rule gives it, within the
    budget. Safe to run again: it gives only the difference. The fund row is locked for the
    whole run, so two runs never give the same difference twice."""
    locked = MdfFund.objects.select_for_update().get(pk=fund.pk)
    run = AllocationRun()
    if locked.status != FundStatus.ACTIVE:
        return run
    partners = list(partners_eligible(locked))
    targets = _targets(locked, partners)
    have = dict(MdfAllocation.objects.filter(fund=locked).values_list("partner_id", "allocated"))
    given = sum(have.values(), ZERO)
    for partner in partners:
        target = targets[partner.pk]
        if locked.allocation_mode == AllocationMode.FIXED and partner.pk in have:
            continue  # a fixed share is given once
        missing = target - have.get(partner.pk, ZERO)
        if missing <= 0:
            continue
        amount = min(missing, locked.budget - given)
        if amount < missing:
            run.short[partner.pk] = missing - amount
        if amount <= 0:
            continue
        fund_allocate(locked, partner, amount, actor=actor, memo=_memo(locked, target))
        given += amount
        run.given[partner.pk] = amount
    if run.short:
        log.warning(
            "fund %s: budget short by %s for %d partners",
            locked.code,
            sum(run.short.values(), ZERO),
            len(run.short),
        )
    return run


@transaction.atomic
def fund_activate(fund: MdfFund, *, actor: Any) -> AllocationRun:
    """Open a draft fund for requests and allocate it. A fixed fund whose budget cannot give
    every eligible partner its amount is refused, with the numbers, and stays a draft."""
    if not fund_can_manage(actor):
        raise PermissionDenied
    locked = MdfFund.objects.select_for_update().get(pk=fund.pk)
    if locked.status != FundStatus.DRAFT:
        raise ValidationError(_("Only a draft fund can be activated."))
    locked.full_clean()
    if locked.allocation_mode == AllocationMode.FIXED:
        assert locked.fixed_amount is not None
        count = partners_eligible(locked).count()
        needed = locked.fixed_amount * count
        if needed > locked.budget:
            raise ValidationError(
                {
                    "budget": _(
                        "%(count)d eligible partners at %(each)s need %(needed)s; "
                        "the budget is %(budget)s."
                    )
                    % {
                        "count": count,
                        "each": money(locked.fixed_amount),
                        "needed": money(needed),
                        "budget": money(locked.budget),
                    }
                }
            )
    transition(
        locked,
        FundStatus.ACTIVE,
        table=FUND_TRANSITIONS,
        history_model=MdfFundStatusChange,
        history_fk="fund",
        actor=actor,
    )
    fund.status = FundStatus.ACTIVE
    return allocations_sync(locked, actor=actor)


def funds_to_sync(today: date) -> QuerySet[MdfFund]:
    """Active funds that still allocate: until their money expires (orders of the period may be
    accepted after its last day)."""
    return MdfFund.objects.filter(status=FundStatus.ACTIVE, expires_on__gte=today).order_by("pk")


def allocate_all(today: date) -> dict[str, Decimal]:
    """The nightly run over every fund still allocating; what each gave."""
    return {fund.code: allocations_sync(fund).total for fund in funds_to_sync(today)}
