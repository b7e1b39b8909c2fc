"""One program period recalculated across Celery workers instead of in one process.

The period's partners (the same set engine.recalculate writes: eligible ones and those with a
stored accrual) are split into sorted batches. Each batch is a task that computes and upserts
only its partners' rows with the engine's own functions (engine.write_rows: basis, band, bonus,
amounts up to the partner cap, and the final amount when nothing else decides it). A chord then
runs one closing task that settles what depends on every partner (the program cap's shares, the
exclusive group's choice: engine.settle_shares) and finishes the RebateRun. The rows equal those
of one engine.recalculate of the period.

Locks, always group first, then program row, as engine.recalculate takes them:
- a batch holds the program row FOR SHARE (and its exclusive group's advisory lock shared), so
  the batches of one program run side by side on any number of workers, while a whole-program
  recalculate, a partner's run and the closing task (FOR UPDATE, group lock exclusive) wait for
  them, and they for those;
- the closing task takes the same locks as engine.recalculate.

Every task only reads committed sources and upserts, so running one twice (acks_late: a worker
lost mid-batch means the batch runs again) writes the same rows. The closing task also writes
the rows of partners that no batch of its run wrote (a partner that became eligible after the
dispatch), so the period is complete when the run is finished.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from celery import chord
from celery.result import AsyncResult
from django.db import connection, transaction
from django.utils import timezone

from prm.tenancy.db import tenant_connection
from prm.tenancy.selectors import tenant_today

from .engine import (
    RULES,
    active_programs,
    group_lock,
    program_periods,
    serial_plans,
    settle_shares,
    target_partners,
    write_rows,
)
from .models import RebateAccrual, RebateProgram, RebateRun

# Partners per batch: a batch's aggregates read its partners' orders by id, which stays quick
# for a few hundred partners; a vendor with 20,000 partners makes 40 tasks per program period.
BATCH_SIZE = 500


def batches(partner_ids: Sequence[int], size: int) -> list[list[int]]:
    """`partner_ids` sorted and cut into runs of at most `size`."""
    if size < 1:
        raise ValueError("batch size must be at least 1")
    ordered = sorted(partner_ids)
    return [ordered[i : i + size] for i in range(0, len(ordered), size)]


def recalculate_fanout(
    program: RebateProgram,
    period_start: date,
    period_end: date,
    *,
    batch_size: int = BATCH_SIZE,
    queue: str | None = None,
) -> AsyncResult[Any]:
    """Recalculate one period of `program` as a chord of batch tasks and a closing task, queued
    once the current transaction commits (at once outside one), on `queue` if given (workers
    started with `-Q`), else the default one. Returns the closing task's result: `.get()` gives
    {"run", "batches", "workers", "caught_up"}."""
    from .fanout_tasks import finish_period, recalculate_batch

    targets, _eligible = target_partners(program, period_start)
    parts = batches(targets, batch_size)
    run = RebateRun.objects.create(
        scope=f"{program.code} {period_start} fan-out {len(parts)}x{batch_size}"
    )
    args = (program.pk, period_start.isoformat(), period_end.isoformat())
    # The schema travels explicitly: the closing task is sent by whichever worker finishes the
    # last batch, and the header must not depend on what that worker's connection holds then.
    options: dict[str, Any] = {"headers": {"_schema_name": tenant_connection().schema_name}}
    if queue:
        options["queue"] = queue
    if parts:
        work = chord(
            [recalculate_batch.si(*args, part, run.pk).set(**options) for part in parts],
            finish_period.s(*args, run.pk).set(**options),
        )
    else:
        work = finish_period.si([], *args, run.pk).set(**options)
    result = work.freeze()
    transaction.on_commit(lambda: work.apply_async())
    return result


def recalculate_all_fanout(
    today: date | None = None, *, batch_size: int = BATCH_SIZE, queue: str | None = None
) -> list[AsyncResult[Any]]:
    """engine.recalculate_all spread over the workers: every started period of every active
    program fanned out, one chord and one RebateRun each. Returns their closing results."""
    today = today or tenant_today()
    return [
        recalculate_fanout(program, start, end, batch_size=batch_size, queue=queue)
        for program in active_programs()
        for start, end in program_periods(program)
        if start <= today
    ]


def _program(program_id: int) -> RebateProgram | None:
    return RebateProgram.objects.prefetch_related(*RULES).filter(pk=program_id).first()


def _share_program_row(program_id: int) -> bool:
    """FOR SHARE on the program row: other batches share it, FOR UPDATE waits for all of them.
    False if the program is gone. (The ORM only knows FOR UPDATE.)"""
    table = connection.ops.quote_name(RebateProgram._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT 1 FROM {table} WHERE id = %s FOR SHARE", [program_id])  # noqa: S608
        return cursor.fetchone() is not None


@transaction.atomic
def batch_write(
    program_id: int, period_start: date, period_end: date, partner_ids: Sequence[int], run_id: int
) -> int:
    """The rows of `partner_ids` (those still targets of the period), upserted in one
    transaction; what depends on all partners is left to period_finish. Returns the rows
    written."""
    program = _program(program_id)
    if program is None:
        return 0
    if program.exclusive_group:
        group_lock(program.exclusive_group, shared=True)
    if not _share_program_row(program.pk):
        return 0
    serial_plans()
    wanted = sorted(set(partner_ids))
    targets, eligible_ids = target_partners(program, period_start, wanted)
    if targets:
        run = RebateRun.objects.get(pk=run_id)
        write_rows(program, period_start, period_end, targets, eligible_ids, wanted, run)
    return len(targets)


@transaction.atomic
def period_finish(program_id: int, period_start: date, period_end: date, run_id: int) -> int:
    """After every batch: the rows no batch of this run wrote (partners that became targets
    since the dispatch), then the program cap's shares and the exclusive group over all
    partners, then the run is finished. Returns the rows it had to write itself."""
    program = _program(program_id)
    caught_up = 0
    if program is not None:
        if program.exclusive_group:
            group_lock(program.exclusive_group)
        RebateProgram.objects.select_for_update().filter(pk=program.pk).values_list("pk").get()
        targets, eligible_ids = target_partners(program, period_start)
        written = set(
            RebateAccrual.objects.filter(
                program=program, period_start=period_start, run_id=run_id
            ).values_list("partner", flat=True)
        )
        missed = [pid for pid in targets if pid not in written]
        if missed:
            run = RebateRun.objects.get(pk=run_id)
            write_rows(
                program, period_start, period_end, missed, eligible_ids & set(missed), missed, run
            )
        settle_shares(program, period_start, period_end)
        caught_up = len(missed)
    RebateRun.objects.filter(pk=run_id, finished_at__isnull=True).update(finished_at=timezone.now())
    return caught_up
