"""What the outbox tells other systems about deal registrations (payloads in
docs/integrations_events.md)."""

from __future__ import annotations

from typing import Any

from prm.integrations import events as ev
from prm.integrations.outbox import outbox_emit
from prm.integrations.payloads import iso, money, partner_ref, tenant_currency

from .models import DealRegistration


def registration_payload(registration: DealRegistration) -> dict[str, Any]:
    return {
        "registration": {
            "id": registration.pk,
            "number": registration.number,
            "status": registration.status,
            "title": registration.title,
            "customer_name": registration.customer_name,
            "credit_code": registration.credit_code,
            "estimated_amount": money(registration.estimated_amount),
            "currency": tenant_currency(),
            "expected_close_date": iso(registration.expected_close_date),
            "approved_at": iso(registration.approved_at),
            "protection_ends": iso(registration.protection_ends),
        },
        "partner": partner_ref(registration.partner),
    }


def registration_approved_emit(registration: DealRegistration) -> None:
    outbox_emit(
        event_type=ev.DEAL_APPROVED,
        payload=registration_payload(registration),
        obj=registration,
    )
