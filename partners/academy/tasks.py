"""The academy's daily job; it runs in one vendor's schema at a time (see prm.core.jobs)."""

from __future__ import annotations

from datetime import date

from prm.core.jobs import job

from . import dates
from .certificates import enrollments_recheck
from .reminders import certificates_note_expired, certificates_remind


@job("partners.academy.tasks.academy_daily")
def academy_daily(day: str | None = None) -> dict[str, int]:
    """Remind of certificates expiring in 30 and 7 days, note those that expired. `day` (ISO)
    replays a missed day; by default it is the vendor's today. Also certifies whoever has done
    everything a published course still asks (after lessons or questions were removed). Safe to
    run twice."""
    today = date.fromisoformat(day) if day else dates.today()
    return {
        "reminded": certificates_remind(today),
        "expired": certificates_note_expired(today),
        "certified": enrollments_recheck(),
    }
