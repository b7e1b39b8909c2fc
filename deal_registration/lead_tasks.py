"""Lead distribution's periodic job: take back offers nobody answered in time."""

from __future__ import annotations

from prm.core.jobs import job

from .leads import offers_expire


@job("deal_registration.lead_tasks.expire_lead_offers")
def expire_lead_offers() -> int:
    """Runs in one vendor schema (hourly); safe to run twice: each offer expires once."""
    return offers_expire()
