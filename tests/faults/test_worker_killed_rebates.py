"""A worker killed (SIGKILL) in the middle of a rebate recalculation batch (rebates.fanout).

Two real `celery -A prm worker --pool=prefork --concurrency=1` processes of this test serve a
queue of its own; a vendor of its own has 48 dealers and a program whose partner and program caps
both bind, so the chord's closing task decides every amount. The test holds a lock on one accrual
row, so the batch writing it is caught mid-statement (its other rows already upserted, not yet
committed), and then kills:

- the pool process running it: the worker sees it lost (WorkerLostError), rejects the message
  (acks_late + reject_on_worker_lost) and the batch runs again on a live process; the chord
  finishes and every accrual equals one process's engine.recalculate to the cent;
- the whole worker, main process and pool: nothing rejects the message (Redis would hand it out
  again after the visibility timeout), its run never finishes, and the rerun of the period on the
  other worker (what the nightly job does) writes accruals equal to the clean run.
"""

from __future__ import annotations

import os
import signal
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection, transaction

from prm.celery import app
from rebates import engine
from rebates.fanout import batches, recalculate_fanout
from rebates.fanout_tasks import recalculate_batch
from rebates.models import RebateAccrual, RebateProgram, RebateRun
from tests.concurrency import in_thread
from tests.factories import make_partner, make_product
from tests.rebates.test_engine import local, make_program, place
from tests.rebates.test_fanout import GARBAGE, Snapshot, snapshot
from tests.workers import Worker, queue_forget

from .vendors import vendor_drop, vendor_new

pytestmark = pytest.mark.django_db

D = Decimal
SLUG = "faultsfan"
Q1 = (date(2024, 1, 1), date(2024, 3, 31))
PARTNERS = 48
BATCH = 8  # six batches
QUEUE = f"faults-rebates-{os.getpid()}"


@dataclass(frozen=True)
class World:
    program: int
    partners: list[int]


@pytest.fixture(scope="module")
def world(django_db_setup: None, django_db_blocker: Any) -> Iterator[World]:
    """Q1 orders of 2,000.00 to 6,559.00 per dealer; 3 % from 3,000.00 and 5 % from 6,000.00
    on all of it, at most 250.00 a dealer and 3,000.00 in all (the dealers' 5,000-odd)."""
    with django_db_blocker.unblock():
        tenant = vendor_new(SLUG)
        try:
            connection.set_tenant(tenant)
            product = make_product("100.00")
            partners = []
            for i in range(PARTNERS):
                partner = make_partner(name=f"故障伙伴{i:02d}")
                place(partner, (product, 10, f"{2000 + 97 * i}.00"), at=local(2024, 2, 1 + i % 27))
                partners.append(partner.pk)
            program = make_program(
                code="faults-cap",
                bands=[(D("3000"), D("6000"), D("3")), (D("6000"), None, D("5"))],
                partner_cap=D("250.00"),
                program_cap=D("3000.00"),
            )
            connection.set_schema_to_public()
            yield World(program.pk, partners)
        finally:
            vendor_drop(SLUG)
            queue_forget(QUEUE)


@pytest.fixture(scope="module")
def reference(world: World) -> Snapshot:
    """One process's recalculation of the quarter, from the world as built."""

    def clean_run() -> Snapshot:
        engine.recalculate(RebateProgram.objects.get(pk=world.program), *Q1)
        return snapshot()

    return in_thread(SLUG, clean_run)


@pytest.fixture(scope="module")
def workers(world: World) -> Iterator[list[Worker]]:
    started = [Worker(f"faults-rebates{n}", queue=QUEUE, pool="prefork") for n in (1, 2)]
    try:
        for worker in started:
            worker.wait_ready()
        yield started
    finally:
        for worker in started:
            worker.stop()


# --- catching a batch mid-write ------------------------------------------------------------------


class RowHeld:
    """One accrual row locked FOR UPDATE in a transaction of its own until `release()`."""

    def __init__(self, program: int, partner: int) -> None:
        self.holding, self.released = threading.Event(), threading.Event()

        def hold() -> None:
            with transaction.atomic():
                mine = RebateAccrual.objects.select_for_update()
                mine.get(program_id=program, partner_id=partner, period_start=Q1[0])
                self.holding.set()
                self.released.wait(180)

        self.thread = threading.Thread(target=in_thread, args=(SLUG, hold))
        self.thread.start()
        assert self.holding.wait(30)

    def release(self) -> None:
        self.released.set()
        self.thread.join(30)


def waiting_upserts() -> int:
    """Sessions of this database whose accrual upsert waits for a row lock."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_clear_snapshot()")  # else one snapshot per transaction
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
            " AND wait_event_type = 'Lock' AND query LIKE 'INSERT INTO \"rebates_rebateaccrual\"%%'"
        )
        return int(cursor.fetchone()[0])


def running_batch(workers: list[Worker], partner: int) -> tuple[Worker, int]:
    """The worker and pool process whose batch holds `partner`, once its upsert waits."""
    by_node = {worker.node: worker for worker in workers}
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        active = app.control.inspect(destination=list(by_node), timeout=1).active() or {}
        for node, tasks in active.items():
            for task in tasks:
                mine = task["name"] == recalculate_batch.name and partner in task["args"][3]
                if mine and waiting_upserts():
                    return by_node[node], int(task["worker_pid"])
        time.sleep(0.2)
    raise AssertionError("the batch never waited on the held row")


def dispatch(world: World) -> Any:
    program = RebateProgram.objects.get(pk=world.program)
    return recalculate_fanout(program, *Q1, batch_size=BATCH, queue=QUEUE)


@dataclass(frozen=True)
class Caught:
    result: Any  # the dispatched chord's closing result
    worker: Worker
    pid: int  # the pool process that ran the batch


def kill_mid_batch(
    world: World, workers: list[Worker], victim: int, kill: Callable[[Worker, int], None]
) -> Caught:
    """Every accrual garbled, the quarter dispatched, and `kill` applied to the worker and pool
    process whose batch is upserting `victim`'s row, while that row is held."""
    in_thread(SLUG, lambda: RebateAccrual.objects.update(**GARBAGE))
    held = RowHeld(world.program, victim)
    try:
        result = in_thread(SLUG, lambda: dispatch(world))
        worker, pid = running_batch(workers, victim)
        kill(worker, pid)
    finally:
        held.release()
    return Caught(result, worker, pid)


def accrual_count() -> int:
    return in_thread(SLUG, RebateAccrual.objects.count)


# --- the tests ----------------------------------------------------------------------------------


def test_the_reference_binds_both_caps(world, reference):
    amounts = [row[6] for row in reference.values()]  # the final amount
    uncapped = [row[4] for row in reference.values()]

    assert len(reference) == PARTNERS
    assert sum(amounts) == D("3000.00")
    assert sum(u > D("250.00") for u in uncapped) == 6  # 6,000.00 and up: i = 42 to 47
    assert sum(u == 0 for u in uncapped) == 11  # under 3,000.00: i = 0 to 10


def test_a_killed_pool_process_batch_runs_again_and_equals_a_clean_run(world, reference, workers):
    victim = batches(world.partners, BATCH)[2][3]

    caught = kill_mid_batch(world, workers, victim, lambda _w, pid: os.kill(pid, signal.SIGKILL))
    summary = caught.result.get(timeout=120)

    assert in_thread(SLUG, snapshot) == reference
    assert accrual_count() == PARTNERS  # none duplicated, none lost
    assert summary["batches"] == 6
    assert in_thread(SLUG, lambda: RebateRun.objects.get(pk=summary["run"]).finished_at)
    assert f"pid:{caught.pid} exited with 'signal 9 (SIGKILL)'" in caught.worker.output()


def test_a_killed_worker_leaves_its_run_unfinished_and_the_rerun_equals_a_clean_run(
    world, reference, workers
):
    victim = batches(world.partners, BATCH)[4][0]

    caught = kill_mid_batch(world, workers, victim, lambda worker, _pid: worker.kill())
    survivor = next(w for w in workers if w is not caught.worker)
    rerun = in_thread(SLUG, lambda: dispatch(world)).get(timeout=120)

    assert in_thread(SLUG, snapshot) == reference
    assert accrual_count() == PARTNERS
    assert rerun["workers"] == [survivor.node]
    assert not caught.result.ready()  # its chord waits for the batch a dead worker took
    runs = in_thread(SLUG, lambda: dict(RebateRun.objects.values_list("pk", "finished_at")))
    assert sum(finished is None for finished in runs.values()) == 1
    assert runs[rerun["run"]] is not None
