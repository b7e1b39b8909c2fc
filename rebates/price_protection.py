"""Price protection: compute each partner's credit from its reported channel stock, then credit
its rebate account once.

The stock counted is the product's quantity in each partner's latest channel stock report for a
month *before* the month the price cut takes effect (reports are month-end stock): the units it
bought at the old price and still held. One query finds them all (DISTINCT ON partner).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from orders.ledger import ledger_can_manage, ledger_post
from orders.models import AccountKind, ChannelStockLine, EntryKind
from prm.core.money import quantize

from .models import PriceProtection, PriceProtectionCredit, ProtectionStatus


def _locked(protection: PriceProtection) -> PriceProtection:
    return PriceProtection.objects.select_for_update().get(pk=protection.pk)


@transaction.atomic
def price_protection_compute(protection: PriceProtection, *, actor: Any) -> int:
    """(Re)compute the credits of a protection not yet credited; returns how many partners."""
    if not ledger_can_manage(actor):
        raise PermissionDenied
    locked = _locked(protection)
    if locked.status == ProtectionStatus.SETTLED:
        raise ValidationError(_("This price protection was already credited."))
    locked.full_clean()
    month = locked.effective_on.replace(day=1)
    latest = (
        ChannelStockLine.objects.filter(product_id=locked.product_id, report__period__lt=month)
        .order_by("report__partner_id", "-report__period")
        .distinct("report__partner_id")
        .values_list("report__partner_id", "report__period", "quantity")
    )
    difference = locked.old_price - locked.new_price
    locked.credits.all().delete()
    PriceProtectionCredit.objects.bulk_create(
        PriceProtectionCredit(
            protection=locked,
            partner_id=partner_id,
            stock_month=period,
            quantity=quantity,
            amount=quantize(difference * quantity),
        )
        for partner_id, period, quantity in latest
        if quantity > 0
    )
    locked.status = ProtectionStatus.COMPUTED
    locked.save(update_fields=["status"])
    protection.status = locked.status
    return locked.credits.count()


@transaction.atomic
def price_protection_settle(protection: PriceProtection, *, actor: Any) -> int:
    """Credit every partner's rebate account with its computed credit, once."""
    if not ledger_can_manage(actor):
        raise PermissionDenied
    locked = _locked(protection)
    if locked.status != ProtectionStatus.COMPUTED:
        raise ValidationError(_("Compute the credits first; a protection is credited once."))
    credits = list(locked.credits.select_related("partner").order_by("partner_id"))
    for credit in credits:
        credit.ledger_entry = ledger_post(
            partner=credit.partner,
            kind=AccountKind.REBATE,
            amount=credit.amount,
            entry_kind=EntryKind.REBATE,
            memo=_("Price protection: %(qty)d units, %(old)s → %(new)s")
            % {"qty": credit.quantity, "old": locked.old_price, "new": locked.new_price},
            reference=f"PP-{locked.pk}",
            actor=actor,
        )
        credit.save(update_fields=["ledger_entry"])
    locked.status = ProtectionStatus.SETTLED
    locked.save(update_fields=["status"])
    protection.status = locked.status
    return len(credits)
