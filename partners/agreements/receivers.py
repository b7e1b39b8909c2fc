from __future__ import annotations

from typing import Any

from partners.models import Partner, PartnerStatus

from .services import PARTNER_TERMINATED, agreements_end_for_partner


def on_partner_status_changed(*, partner: Partner, to_status: str, **kwargs: Any) -> None:
    if to_status == PartnerStatus.TERMINATED:
        agreements_end_for_partner(partner=partner, reason=PARTNER_TERMINATED)
