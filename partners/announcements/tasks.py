"""Announcements' job; it runs in one vendor's schema at a time (see prm.core.jobs). Beat runs
it hourly; the name says "daily" because reminders go once a day (the 09:05 run), and the beat
entry in the shared settings names the task by it."""

from __future__ import annotations

from datetime import datetime

from prm.core.jobs import job

from .schedule import announcements_run


@job("partners.announcements.tasks.announcements_daily")
def announcements_daily(now: str | None = None) -> dict[str, int]:
    """Tell partners of scheduled announcements now due and, in the vendor's 09:00 hour,
    remind those who have yet to acknowledge an important one (schedule.py). `now` (ISO
    date-time) replays a run; safe to run twice."""
    return announcements_run(now=datetime.fromisoformat(now) if now else None)
