"""Deal registration's scheduled jobs; each runs in one vendor's schema (see prm.core.jobs)."""

from __future__ import annotations

from prm.core.jobs import job

from .protection import approvals_remind, protection_expire, protection_remind


@job("deal_registration.tasks.deals_daily")
def deals_daily() -> dict[str, int]:
    """Expire what ran out, then remind partners of protections ending soon."""
    return {"expired": protection_expire(), "reminded": protection_remind()}


@job("deal_registration.tasks.remind_overdue_decisions")
def remind_overdue_decisions() -> int:
    return approvals_remind()
