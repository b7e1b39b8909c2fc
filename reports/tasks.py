"""Background work of the reports: rollup refresh (queued on commit)."""

from __future__ import annotations

from prm.core.jobs import job

from .rollups import rollups_drain


@job("reports.rollups_refresh")
def rollups_refresh() -> int:
    """Refresh every pending slice of the current tenant; safe to run twice or concurrently."""
    done = total = rollups_drain()
    while done:
        done = rollups_drain()
        total += done
    return total
