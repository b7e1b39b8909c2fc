"""Nightly tier evaluation: beat fans `partners.programs.tasks.evaluate_tiers` out per vendor."""

from __future__ import annotations

from datetime import date

from prm.core.jobs import job

from .scoring import today
from .services import tier_evaluate


@job("partners.programs.tasks.evaluate_tiers", soft_time_limit=600, time_limit=900)
def evaluate_tiers(as_of: str | None = None) -> int:
    """Runs in one vendor schema. Safe to run twice: a second call for the same day is a no-op.

    `as_of` is an ISO date (default: today in the vendor's time zone). Returns the run's id.
    """
    day = date.fromisoformat(as_of) if as_of else today()
    return tier_evaluate(as_of=day, once_per_day=True).pk
