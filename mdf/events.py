"""What the outbox tells other systems about market development funds (payloads in
docs/integrations_events.md)."""

from __future__ import annotations

from typing import Any

from prm.integrations import events as ev
from prm.integrations.outbox import outbox_emit
from prm.integrations.payloads import iso, money, partner_ref, tenant_currency

from .models import MdfClaim


def claim_payload(claim: MdfClaim) -> dict[str, Any]:
    request = claim.request
    return {
        "claim": {
            "id": claim.pk,
            "number": claim.number,
            "request_number": request.number,
            "claimed_amount": money(claim.claimed_amount),
            "approved_amount": money(claim.approved_amount),
            "currency": tenant_currency(),
            "settled_as": claim.settled_as,
            "payout_reference": claim.payout_reference,
            "settled_at": iso(claim.settled_at),
        },
        "partner": partner_ref(request.partner),
    }


def claim_settled_emitted(claim: MdfClaim) -> MdfClaim:
    outbox_emit(event_type=ev.MDF_CLAIM_SETTLED, payload=claim_payload(claim), obj=claim)
    return claim
