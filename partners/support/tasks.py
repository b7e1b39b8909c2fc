"""Support tickets' periodic job; it runs in one vendor's schema at a time (prm.core.jobs)."""

from __future__ import annotations

from datetime import datetime

from prm.core.jobs import job

from .sla import sla_check


@job("partners.support.tasks.support_sla_check")
def support_sla_check(now: datetime | str | None = None) -> dict[str, int]:
    """Escalate missed SLA targets once each and close resolved tickets nobody answered.
    `now` (a datetime, or ISO text through the broker) replays a moment; tests pass it."""
    moment = datetime.fromisoformat(now) if isinstance(now, str) else now
    return sla_check(now=moment)
