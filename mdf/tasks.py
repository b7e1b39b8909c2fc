"""Market funds' daily job; it runs in one vendor's schema at a time (see prm.core.jobs)."""

from __future__ import annotations

from datetime import date

from prm.core.jobs import job
from prm.tenancy.selectors import tenant_today

from .allocation import allocate_all
from .deadlines import (
    claim_deadline_remind,
    expiry_remind,
    funds_expire,
    proof_remind,
    requests_lapse,
)


@job("mdf.tasks.mdf_daily", soft_time_limit=1500, time_limit=1800)
def mdf_daily(day: str | None = None) -> dict[str, int]:
    """Accrue allocations from yesterday's orders, lapse unclaimed requests (their money returns
    to the balance), expire what is left in funds past their date, then remind partners.
    `day` (ISO) replays a missed day; by default it is the vendor's today."""
    today = date.fromisoformat(day) if day else tenant_today()
    allocated = allocate_all(today)
    return {
        "funds_allocated": sum(1 for given in allocated.values() if given),
        "lapsed": requests_lapse(today),
        "expired": funds_expire(today),
        "proof_reminded": proof_remind(today),
        "claim_reminded": claim_deadline_remind(today),
        "expiry_reminded": expiry_remind(today),
    }
