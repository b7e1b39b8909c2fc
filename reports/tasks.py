"""Background work of the reports: rollup refresh (queued on commit)."""

from __future__ import annotations

from prm.core.jobs import job

from .forecast_tasks import forecasts_monthly
from .rollups import rollups_drain
from .subscription_tasks import subscriptions_send

# Celery discovers `reports.tasks` only: the other task modules are imported here.
__all__ = ["forecasts_monthly", "rollups_refresh", "subscriptions_send"]


@job("reports.rollups_refresh")
def rollups_refresh() -> int:
    """Refresh every pending slice of the current tenant; safe to run twice or concurrently."""
    done = total = rollups_drain()
    while done:
        done = rollups_drain()
        total += done
    return total
