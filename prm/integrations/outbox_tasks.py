"""The outbox's background jobs: one queued when an event commits, and a drain that beat runs
every minute in every vendor, so no delivery depends on the first job having been queued
(a broker outage at commit time) or on its worker having lived."""

from __future__ import annotations

from prm.core.jobs import job

from .outbox import deliveries_drain


@job("prm.integrations.outbox_deliver", soft_time_limit=60, time_limit=90)
def outbox_deliver(event_id: str) -> int:
    """Send the due deliveries of one event, now that it has committed."""
    return deliveries_drain(event_id=event_id)


@job("prm.integrations.outbox_drain", soft_time_limit=60, time_limit=90)
def outbox_drain() -> int:
    """Send every due delivery of the current vendor (retries, and anything the job queued on
    commit missed); safe to run concurrently: each delivery is claimed under a lease."""
    return deliveries_drain()
