"""What the outbox tells other systems about rebates (payloads in
docs/integrations_events.md)."""

from __future__ import annotations

from typing import Any

from prm.integrations import events as ev
from prm.integrations.outbox import outbox_emit
from prm.integrations.payloads import iso, money, partner_ref, tenant_currency

from .models import RebateSettlement


def settlement_payload(settlement: RebateSettlement) -> dict[str, Any]:
    accrual = settlement.accrual
    program = accrual.program
    return {
        "settlement": {
            "id": settlement.pk,
            "kind": settlement.kind,
            "amount": money(settlement.amount),
            "currency": tenant_currency(),
            "method": settlement.method,
            "payout_reference": settlement.payout_reference,
            "settled_at": iso(settlement.settled_at),
            "note": settlement.note,
        },
        "accrual": {
            "id": accrual.pk,
            "period_start": iso(accrual.period_start),
            "period_end": iso(accrual.period_end),
            "amount": money(accrual.amount),
        },
        "program": {
            "id": program.pk,
            "code": program.code,
            "name": program.name,
            "name_en": program.name_en,
        },
        "partner": partner_ref(accrual.partner),
    }


def settlement_emitted(settlement: RebateSettlement) -> RebateSettlement:
    """A settlement or a later adjustment (`kind`), positive or negative."""
    outbox_emit(
        event_type=ev.REBATE_SETTLED, payload=settlement_payload(settlement), obj=settlement
    )
    return settlement
