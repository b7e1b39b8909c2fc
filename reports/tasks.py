"""Background work of the reports: rollup refresh (queued on commit)."""

from __future__ import annotations

from prm.core.jobs import job

from .forecast_tasks import forecasts_monthly
from .rollups import rollups_drain
from .subscription_tasks import subscriptions_send

# Celery discovers `reports.tasks` only: the other task modules are imported here.
__all__ = ["forecasts_monthly", "rollups_refresh", "subscriptions_send"]


# Each slice commits on its own, so a long backlog (an import) may take several minutes.
@job("reports.rollups_refresh", soft_time_limit=15 * 60, time_limit=16 * 60)
def rollups_refresh() -> int:
    """Refresh every pending slice of the current tenant; safe to run twice or concurrently."""
    done = total = rollups_drain()
    while done:
        done = rollups_drain()
        total += done
    return total
