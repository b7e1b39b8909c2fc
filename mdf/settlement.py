"""Settling an approved claim: finance credits the approved amount to the partner's prepaid
wallet (orders.ledger) or records a payout by bank transfer; in the fund ledger the claimed
amount becomes paid. One transaction, once: the claim row is locked and moves to SETTLED."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from orders.ledger import ledger_can_manage, ledger_post
from orders.models import AccountKind, EntryKind

from .claims import move
from .events import claim_settled_emitted
from .ledger import fund_move
from .models import ClaimStatus, FundEntryKind, MdfAllocation, MdfClaim, SettledAs


@transaction.atomic
def claim_settle(
    claim: MdfClaim, *, actor: Any, settled_as: str = SettledAs.WALLET, payout_reference: str = ""
) -> MdfClaim:
    if not ledger_can_manage(actor):
        raise PermissionDenied
    payout_reference = (payout_reference or "").strip()
    if settled_as not in SettledAs.values:
        raise ValidationError({"settled_as": _("Choose how the claim is paid.")})
    if settled_as == SettledAs.PAYOUT and not payout_reference:
        raise ValidationError(
            {"payout_reference": _("Enter the bank transfer's reference for a payout.")}
        )
    locked = (
        MdfClaim.objects.select_for_update().select_related("request__partner").get(pk=claim.pk)
    )
    if locked.status != ClaimStatus.APPROVED or locked.approved_amount is None:
        raise ValidationError(_("Only approved claims are settled, once."))
    request = locked.request
    entry = None
    if settled_as == SettledAs.WALLET:
        entry = ledger_post(
            partner=request.partner,
            kind=AccountKind.PREPAID,
            amount=locked.approved_amount,
            entry_kind=EntryKind.MDF,
            reference=locked.number,
            actor=actor,
        )
    allocation = MdfAllocation.objects.get(fund=request.fund_id, partner=request.partner_id)
    fund_move(
        allocation, FundEntryKind.PAY, locked.approved_amount, actor=actor, reference=locked.number
    )
    MdfClaim.objects.filter(pk=locked.pk).update(
        settled_as=settled_as,
        payout_reference=payout_reference[:64],
        ledger_entry=entry,
        settled_at=timezone.now(),
    )
    return claim_settled_emitted(move(locked, ClaimStatus.SETTLED, actor=actor, reason=""))
