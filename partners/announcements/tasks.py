"""Announcements' daily job; it runs in one vendor's schema at a time (see prm.core.jobs)."""

from __future__ import annotations

from datetime import datetime

from prm.core.jobs import job

from .schedule import announcements_run


@job("partners.announcements.tasks.announcements_daily")
def announcements_daily(now: str | None = None) -> dict[str, int]:
    """Tell partners of scheduled announcements now due and remind those who have yet to
    acknowledge an important one. `now` (ISO date-time) replays a run; safe to run twice."""
    return announcements_run(now=datetime.fromisoformat(now) if now else None)
