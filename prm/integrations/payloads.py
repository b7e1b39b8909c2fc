"""Small pieces the apps' payload builders share, so every event spells a partner, an amount
and a moment the same way: amounts as strings (exact decimals, never floats), times and dates
as ISO 8601."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from prm.tenancy.selectors import current_tenant


def money(value: Decimal | None) -> str | None:
    return None if value is None else f"{value:.2f}"


def iso(value: date | datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def partner_ref(partner: Any) -> dict[str, Any]:
    return {"id": partner.pk, "name": partner.name, "name_en": partner.name_en}


def tenant_currency() -> str:
    """The vendor's currency, for amounts whose record keeps none of its own."""
    return str(current_tenant().currency)
