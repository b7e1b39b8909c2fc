"""The Celery tasks of rebates.fanout: thin callers taking ids and ISO dates. Both are safe to
run twice; Celery finds them through rebates.tasks."""

from __future__ import annotations

from datetime import date
from typing import Any

from celery import current_task

from prm.core.jobs import job

from .fanout import batch_write, period_finish, recalculate_all_fanout

# A batch of 500 partners over a quarter of heavy ordering takes seconds; the limits leave room
# for a slow night without letting a stuck task hold the program row for good.
LIMITS = {"soft_time_limit": 600, "time_limit": 660}


def _worker() -> str:
    """The node running the task (celery@host), for the closing task's summary."""
    request = getattr(current_task, "request", None)
    return str(getattr(request, "hostname", None) or "eager")


@job("rebates.fanout.recalculate_batch", **LIMITS)
def recalculate_batch(
    program_id: int, period_start: str, period_end: str, partner_ids: list[int], run_id: int
) -> dict[str, Any]:
    rows = batch_write(
        program_id,
        date.fromisoformat(period_start),
        date.fromisoformat(period_end),
        partner_ids,
        run_id,
    )
    return {"worker": _worker(), "partners": len(partner_ids), "rows": rows}


@job("rebates.fanout.finish_period", **LIMITS)
def finish_period(
    batches: list[dict[str, Any]], program_id: int, period_start: str, period_end: str, run_id: int
) -> dict[str, Any]:
    """The chord's closing task: `batches` are the batch tasks' results."""
    caught_up = period_finish(
        program_id, date.fromisoformat(period_start), date.fromisoformat(period_end), run_id
    )
    return {
        "run": run_id,
        "batches": len(batches),
        "workers": sorted({batch["worker"] for batch in batches}),
        "caught_up": caught_up,
    }


@job("rebates.fanout.recalculate_nightly")
def recalculate_nightly_fanout() -> int:
    """The nightly recalculation spread over the workers (rebates.tasks.recalculate_nightly is
    the one-process form). Returns the number of program periods dispatched."""
    return len(recalculate_all_fanout())
