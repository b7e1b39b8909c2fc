"""True-up and settlement: finance pays what an ended period accrued into the partner's rebate
credit, and later only the difference to what was already settled.

The settlements of an accrual always add up to what was paid for it; settling again after a
recalculation books `accrual.amount - settled` as an ADJUSTMENT, positive or negative, never a
second full payment. A negative adjustment takes the credit back from the rebate wallet; if the
partner has already spent it, the adjustment is refused (nothing written) with the shortfall in
the message, and finance recovers the money another way (e.g. against the next period).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils.translation import gettext as _

from orders.ledger import InsufficientFunds, ledger_can_manage, ledger_post
from orders.models import AccountKind, EntryKind
from prm.tenancy.selectors import tenant_today

from .events import settlement_emitted
from .models import RebateAccrual, RebateSettlement, SettlementKind, SettlementMethod

ZERO = Decimal("0.00")


def settled_amount(accrual: RebateAccrual) -> Decimal:
    """What the settlements of `accrual` paid so far (signed sum)."""
    total = accrual.settlements.aggregate(total=Sum("amount"))["total"]
    return total if total is not None else ZERO


def settlement_due(accrual: RebateAccrual) -> Decimal:
    """What settling now would book: the accrual minus what was already settled."""
    return accrual.amount - settled_amount(accrual)


@transaction.atomic
def settle(
    accrual: RebateAccrual,
    *,
    actor: Any,
    note: str = "",
    method: str = SettlementMethod.CREDIT,
    payout_reference: str = "",
) -> RebateSettlement:
    """Finance books the difference between the accrual and its settlements so far:
    SETTLEMENT the first time, ADJUSTMENT after. As rebate credit (into the partner's rebate
    account) or as a payout made outside the system (its bank reference recorded; a negative
    one is money to recover). Only for periods that have ended. Raises PermissionDenied for
    anyone but finance and vendor admins, and ValidationError when nothing is due, the period
    is still running, a payout has no reference, or a negative credit adjustment exceeds the
    rebate credit left."""
    if not ledger_can_manage(actor):
        raise PermissionDenied
    note = (note or "").strip()
    payout_reference = (payout_reference or "").strip()
    if len(note) > 200:
        raise ValidationError({"note": _("At most %(n)d characters.") % {"n": 200}})
    if method not in SettlementMethod.values:
        raise ValidationError({"method": _("Choose how the rebate is paid.")})
    if method == SettlementMethod.PAYOUT and not payout_reference:
        raise ValidationError(
            {"payout_reference": _("Enter the bank transfer's reference for a payout.")}
        )
    if len(payout_reference) > 64:
        raise ValidationError({"payout_reference": _("At most %(n)d characters.") % {"n": 64}})
    # The lock makes a second finance user wait here and then see the first one's settlement,
    # and holds off a recalculation from changing the amount in between.
    locked = (
        RebateAccrual.objects.select_for_update()
        .select_related("partner", "program")
        .get(pk=accrual.pk)
    )
    if locked.period_end >= tenant_today():
        raise ValidationError(
            _("The period ends on %(day)s: it can be settled from the day after.")
            % {"day": locked.period_end.isoformat()},
            code="period_running",
        )
    due = settlement_due(locked)
    if due == 0:
        raise ValidationError(
            _("Nothing to settle: the accrual is already settled in full."), code="nothing_due"
        )
    first = not locked.settlements.exists()
    if method == SettlementMethod.PAYOUT:
        settlement = RebateSettlement.objects.create(
            accrual=locked,
            kind=SettlementKind.SETTLEMENT if first else SettlementKind.ADJUSTMENT,
            amount=due,
            method=method,
            payout_reference=payout_reference,
            settled_by=actor,
            note=note,
        )
        return settlement_emitted(settlement)
    try:
        entry = ledger_post(
            partner=locked.partner,
            kind=AccountKind.REBATE,
            amount=due,
            entry_kind=EntryKind.REBATE,
            reference=f"{locked.program.code} {locked.period_start.isoformat()}",
            memo=note,
            actor=actor,
        )
    except InsufficientFunds as exc:
        raise ValidationError(
            _(
                "The recalculation takes back %(amount)s, but the partner's rebate credit is "
                "%(available)s: it has already been spent."
            )
            % {"amount": -due, "available": exc.available},
            code="rebate_spent",
        ) from exc
    settlement = RebateSettlement.objects.create(
        accrual=locked,
        kind=SettlementKind.SETTLEMENT if first else SettlementKind.ADJUSTMENT,
        amount=due,
        ledger_entry=entry,
        settled_by=actor,
        note=note,
    )
    return settlement_emitted(settlement)
