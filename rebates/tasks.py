"""Rebate recalculation jobs: nightly for everything, and soon after a partner's order,
shipment, payment, return or sell-out changed. Both are idempotent (see rebates.engine)."""

from __future__ import annotations

from datetime import date

from django.core.cache import cache

from partners.models import Partner
from prm.core.jobs import enqueue_on_commit, job

from .engine import recalculate_all
from .fanout_tasks import finish_period, recalculate_batch, recalculate_nightly_fanout
from .models import ProgramStatus, RebateProgram
from .partner_run import recalculate_partner

# Celery discovers `rebates.tasks` only: the fan-out's tasks are imported here.
__all__ = [
    "finish_period",
    "queue_recalculation",
    "recalculate_batch",
    "recalculate_nightly",
    "recalculate_nightly_fanout",
    "recalculate_partner_day",
]

# Changes within this window for one partner and day share one recalculation.
COALESCE_SECONDS = 300


def marker_key(partner_id: int, day: date) -> str:
    return f"rebates:recalc:{partner_id}:{day.isoformat()}"


def queue_recalculation(partner_id: int, day: date) -> bool:
    """After the current transaction commits, recalculate `partner_id`'s periods containing
    `day`, unless a recalculation of the same is already waiting. True if one was queued."""
    marker = marker_key(partner_id, day)
    if cache.get(marker) is not None:  # queued already (the common case: one order, many saves)
        return False
    if not RebateProgram.objects.filter(status=ProgramStatus.ACTIVE).exists():
        return False
    if not cache.add(marker, 1, timeout=COALESCE_SECONDS):
        return False
    enqueue_on_commit(recalculate_partner_day, partner_id, day.isoformat())
    return True


@job("rebates.tasks.recalculate_partner_day")
def recalculate_partner_day(partner_id: int, day: str) -> int:
    on = date.fromisoformat(day)
    # Let changes from now on queue a new run: this one reads what is committed at its start.
    cache.delete(marker_key(partner_id, on))
    partner = Partner.objects.filter(pk=partner_id).first()
    if partner is None:
        return 0
    return len(recalculate_partner(partner, on))


@job("rebates.tasks.recalculate_nightly", soft_time_limit=3000, time_limit=3600)
def recalculate_nightly() -> int:
    return recalculate_all().pk
