"""The only writer of MDF allocation totals: each movement is one conditional UPDATE of the
allocation row (so two approvals racing for the last funds cannot both pass) and one ledger
entry, in one transaction. See mdf.models.funds for what each kind moves."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Q, Sum
from django.utils.translation import gettext as _

from partners.models import Partner
from prm.core.money import quantize
from prm.core.templatetags.humanize_money import money

from .models import FundEntryKind, MdfAllocation, MdfFund, MdfLedgerEntry

ZERO = Decimal("0.00")
SPENT = F("reserved") + F("claimed") + F("paid") + F("expired")
AVAILABLE = F("allocated") - SPENT  # MdfAllocation.available, in SQL

# kind -> (what must hold before, the totals it moves)
_MOVES: dict[str, tuple[str, dict[str, int]]] = {
    FundEntryKind.ALLOCATE: ("", {"allocated": 1}),
    FundEntryKind.RESERVE: ("available", {"reserved": 1}),
    FundEntryKind.RELEASE: ("reserved", {"reserved": -1}),
    FundEntryKind.CLAIM: ("available", {"claimed": 1}),
    FundEntryKind.PAY: ("claimed", {"claimed": -1, "paid": 1}),
    FundEntryKind.EXPIRE: ("available", {"expired": 1}),
}


def is_cents(value: Decimal | None) -> bool:
    """Above zero, in whole cents: what every MDF amount must be."""
    return value is not None and value > 0 and value == quantize(value)


def amount_error() -> str:
    return _("Enter an amount above zero with at most two decimals.")


def _money(amount: Decimal) -> Decimal:
    if not is_cents(amount):
        raise ValidationError({"amount": amount_error()})
    return amount


def amount_within(amount: Decimal | None, ceiling: Decimal) -> Decimal:
    """A decision's amount: `ceiling` when none is given, else at most it (field `amount`)."""
    value = _money(ceiling if amount is None else amount)
    if value > ceiling:
        raise ValidationError(
            {"amount": _("At most %(ceiling)s can be approved.") % {"ceiling": money(ceiling)}}
        )
    return value


def _refusal(allocation_id: int, needs: str, amount: Decimal) -> ValidationError:
    row = MdfAllocation.objects.get(pk=allocation_id)
    if needs == "available":
        return ValidationError(
            {
                "amount": _("Only %(available)s of this fund is available; %(amount)s was asked.")
                % {"available": money(row.available), "amount": money(amount)}
            },
            code="insufficient",
        )
    template = (
        _("Only %(held)s is reserved; %(amount)s cannot be taken from it.")
        if needs == "reserved"
        else _("Only %(held)s is claimed; %(amount)s cannot be taken from it.")
    )
    return ValidationError(
        {"amount": template % {"held": money(getattr(row, needs)), "amount": money(amount)}},
        code="insufficient",
    )


@transaction.atomic
def fund_move(
    allocation: MdfAllocation,
    kind: str,
    amount: Decimal,
    *,
    actor: Any = None,
    reference: str = "",
    memo: str = "",
) -> MdfLedgerEntry:
    """Move `amount` of `allocation` as `kind`; ValidationError (nothing written) when the
    allocation cannot cover it, with what it holds."""
    needs, moves = _MOVES[FundEntryKind(kind)]
    value = _money(amount)
    where = Q(pk=allocation.pk)
    if needs == "available":
        where &= Q(allocated__gte=SPENT + value)
    elif needs:
        where &= Q(**{f"{needs}__gte": value})
    changed = MdfAllocation.objects.filter(where).update(
        **{total: F(total) + sign * value for total, sign in moves.items()}
    )
    if not changed:
        raise _refusal(allocation.pk, needs, value)
    row = MdfAllocation.objects.get(pk=allocation.pk)
    for total in ("allocated", "reserved", "claimed", "paid", "expired"):
        setattr(allocation, total, getattr(row, total))
    return MdfLedgerEntry.objects.create(
        allocation=allocation,
        kind=kind,
        amount=value,
        available_after=row.available,
        reference=(reference or "")[:64],
        memo=(memo or "")[:300],
        actor=actor if getattr(actor, "is_authenticated", False) else None,
    )


@transaction.atomic
def fund_allocate(
    fund: MdfFund, partner: Partner, amount: Decimal, *, actor: Any = None, memo: str = ""
) -> MdfLedgerEntry:
    """Give `partner` `amount` more of `fund`. The fund row is locked so that allocations
    never add up to more than its budget."""
    value = _money(amount)
    locked = MdfFund.objects.select_for_update().get(pk=fund.pk)
    given = MdfAllocation.objects.filter(fund=locked).aggregate(total=Sum("allocated"))["total"]
    left = locked.budget - (given or ZERO)
    if value > left:
        raise ValidationError(
            {
                "amount": _("The fund's budget has %(left)s left; %(amount)s cannot be allocated.")
                % {"left": money(left), "amount": money(value)}
            },
            code="over_budget",
        )
    allocation, _created = MdfAllocation.objects.get_or_create(fund=locked, partner=partner)
    return fund_move(allocation, FundEntryKind.ALLOCATE, value, actor=actor, memo=memo)


def entry_totals(allocation: MdfAllocation) -> dict[str, Decimal]:
    """The allocation's totals as its ledger entries say: what the row must equal."""
    sums = dict(
        allocation.entries.order_by()
        .values("kind")
        .annotate(total=Sum("amount"))
        .values_list("kind", "total")
    )
    totals = dict.fromkeys(("allocated", "reserved", "claimed", "paid", "expired"), ZERO)
    for kind, (_needs, moves) in _MOVES.items():
        for total, sign in moves.items():
            totals[total] += sign * sums.get(kind, ZERO)
    return totals
