"""The recalculation fanned out over real Celery workers: two `celery -A prm worker` processes
started here, a vendor of its own whose data is committed (the workers have their own database
sessions), and the accruals compared column by column with one process's
engine.recalculate_all: a program with a partner and a program cap, a plain one, two in an
exclusive group, and one that includes nobody. The vendor is dropped at the end."""

from __future__ import annotations

import itertools
import os
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.db import OperationalError, connection, transaction

from orders.ledger import payment_record
from partners.models import PartnerType, Region
from prm.tenancy.models import Tenant
from prm.tenancy.services import vendor_create
from rebates import engine
from rebates.fanout import batch_write, batches, period_finish, recalculate_all_fanout
from rebates.fanout_tasks import recalculate_batch
from rebates.models import Basis, RebateAccrual, RebateProgram, RebateRun, TierMode
from tests.concurrency import in_thread, run_concurrently
from tests.factories import make_partner, make_product
from tests.vendors import vendor_drop
from tests.workers import Worker

from .test_engine import give_back, local, make_program, place

pytestmark = pytest.mark.django_db

D = Decimal
SLUG = "fanout"
TODAY = date(2024, 6, 30)  # Q1 and Q2 of every program have started, Q3 and Q4 not
Q1 = (date(2024, 1, 1), date(2024, 3, 31))
Q2 = (date(2024, 4, 1), date(2024, 6, 30))
PARTNERS = 240
BATCH = 40  # 240 partners: 6 batches per period
# A queue of this run's own: no other worker on the same Redis takes these tasks, and these
# workers take nothing else (the rollup jobs the data queued stay on the default queue).
QUEUE = f"rebates-fanout-test-{os.getpid()}"


@dataclass(frozen=True)
class World:
    tenant: Tenant
    programs: dict[str, int]  # cap, plain, group_a, group_b, nobody
    partners: list[int]  # by index i, the data below is a function of i
    stale: int  # a partner outside `plain` with a stored accrual of it


Snapshot = dict[tuple[str, int, date], tuple[Any, ...]]


def snapshot() -> Snapshot:
    """Every accrual of the vendor: every column a recalculation decides."""
    return {
        (code, partner, start): rest
        for code, partner, start, *rest in RebateAccrual.objects.values_list(
            "program__code",
            "partner",
            "period_start",
            "period_end",
            "basis",
            "tier",
            "bonus",
            "uncapped_amount",
            "capped_amount",
            "amount",
        )
    }


GARBAGE = {
    "basis": D("-1"),
    "tier": None,
    "bonus": D("-1"),
    "uncapped_amount": D("-1"),
    "capped_amount": D("-1"),
    "amount": D("-1"),
    "run": None,
}


def stale_row(world: World) -> None:
    RebateAccrual.objects.create(
        program_id=world.programs["plain"],
        partner_id=world.stale,
        period_start=Q1[0],
        period_end=Q1[1],
        **GARBAGE,
    )


# --- the vendor and its data ------------------------------------------------------------------


def pay(partner: Any, amount: str, on: date) -> None:
    payment_record(partner=partner, amount=D(amount), received_on=on, method="cash")


def _build(tenant: Tenant) -> World:
    """Committed rows (autocommit): 240 dealers, a quarter of them in Beijing; orders in Q1 and
    Q2, some returned; payments in Q1 and Q2."""
    seq = itertools.count(1)
    shanghai, _created = Region.objects.get_or_create(
        code="310000", defaults={"name": "上海", "level": Region.Level.PROVINCE}
    )
    product = make_product("100.00")
    partners = []
    for i in range(PARTNERS):
        partner = make_partner(name=f"扇出伙伴{i:03d}", region="北京" if i % 4 == 0 else "上海")
        partners.append(partner.pk)
        q1 = place(partner, (product, 10, f"{1000 + 37 * i}.00"), at=local(2024, 2, 1 + i % 27, 10))
        if i % 10 == 0:
            give_back(q1, "100.00", at=local(2024, 4, 2))  # counts in Q1, the order's quarter
        if i % 3 == 0:
            place(partner, (product, 5, f"{500 + 53 * i}.00"), at=local(2024, 5, 1 + i % 28, 9))
        if i % 2 == 0:
            amount = D(f"{800 + 11 * i}.00")
            payment_record(
                partner=partner, amount=amount, received_on=date(2024, 3, 3), method="cash"
            )
        if i % 5 == 0:
            amount = D(f"{300 + 7 * i}.00")
            payment_record(
                partner=partner, amount=amount, received_on=date(2024, 6, 6), method="cash"
            )

    def code(name: str) -> str:
        return f"fan-{name}-{next(seq)}"

    cap = make_program(
        code=code("cap"),
        bands=[(D("3000"), D("6000"), D("3")), (D("6000"), None, D("5"))],
        partner_cap=D("400.00"),
        program_cap=D("9000.00"),
    )
    plain = make_program(
        code=code("plain"),
        basis=Basis.COLLECTED,
        mode=TierMode.MARGINAL,
        bands=[(D("0"), D("1000"), D("1")), (D("1000"), None, D("2"))],
    )
    plain.regions.add(shanghai)
    group_a = make_program(
        code=code("group-a"), exclusive_group="volume", bands=[(D("0"), None, D("3"))]
    )
    group_b = make_program(
        code=code("group-b"),
        basis=Basis.COLLECTED,
        exclusive_group="volume",
        bands=[(D("0"), None, D("8"))],
    )
    nobody = make_program(code=code("nobody"), partner_types=[PartnerType.SERVICE])
    programs = {"cap": cap, "plain": plain, "group_a": group_a, "group_b": group_b}
    world = World(
        tenant=tenant,
        programs={**{k: p.pk for k, p in programs.items()}, "nobody": nobody.pk},
        partners=partners,
        stale=partners[0],  # in Beijing: outside `plain`
    )
    stale_row(world)
    return world


@pytest.fixture(scope="module")
def world(django_db_setup: None, django_db_blocker: Any) -> Iterator[World]:
    with django_db_blocker.unblock():
        vendor_drop(SLUG)  # left by a run killed before its cleanup
        tenant = vendor_create(
            slug=SLUG, name="Fanout Electronics", admin_email=f"admin@{SLUG}.test"
        ).tenant
        try:
            connection.set_tenant(tenant)
            built = _build(tenant)
            connection.set_schema_to_public()
            yield built
        finally:
            vendor_drop(SLUG)


@pytest.fixture(scope="module")
def reference(world: World, django_db_blocker: Any) -> Snapshot:
    """One process's recalculation of every started period, from the world as built."""
    with django_db_blocker.unblock():
        connection.set_tenant(world.tenant)
        try:
            engine.recalculate_all(TODAY)
            return snapshot()
        finally:
            connection.set_schema_to_public()


# --- worker processes -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def first_worker(world: World) -> Iterator[str]:
    worker = Worker("fanout1", queue=QUEUE)
    worker.wait_ready()
    yield worker.node
    worker.stop()


@pytest.fixture(scope="module")
def second_worker(first_worker: str) -> Iterator[str]:
    worker = Worker("fanout2", queue=QUEUE)
    worker.wait_ready()
    yield worker.node
    worker.stop()


# --- helpers run in the vendor's schema, committed ----------------------------------------------


def fan_out() -> list[dict[str, Any]]:
    """Dispatch every started period (committed, so sent at once) and wait for every chord."""
    results = in_thread(SLUG, lambda: recalculate_all_fanout(TODAY, batch_size=BATCH, queue=QUEUE))
    return [result.get(timeout=180) for result in results]


def unfinished(runs: list[int]) -> int:
    return RebateRun.objects.filter(pk__in=runs, finished_at__isnull=True).count()


def q1_targets(world: World, program: str) -> list[int]:
    def read() -> list[int]:
        prog = RebateProgram.objects.get(pk=world.programs[program])
        return engine.target_partners(prog, Q1[0])[0]

    return in_thread(SLUG, read)


# --- the tests --------------------------------------------------------------------------------


def test_batches_are_sorted_runs_of_the_size():
    assert batches([9, 3, 7, 1, 5], 2) == [[1, 3], [5, 7], [9]]
    assert batches([], 40) == []
    with pytest.raises(ValueError, match="at least 1"):
        batches([1], 0)


def test_the_reference_exercises_both_caps_the_group_and_a_stale_row(world, reference):
    def rows(program: str, start: date = Q1[0]) -> dict[int, tuple[Any, ...]]:
        code = RebateProgram.objects.get(pk=world.programs[program]).code
        return {p: rest for (c, p, s), rest in reference.items() if c == code and s == start}

    def read() -> dict[str, Any]:
        return {name: rows(name) for name in ("cap", "plain", "group_a", "group_b", "nobody")}

    got = in_thread(SLUG, read)
    cap, plain, group_a, group_b = got["cap"], got["plain"], got["group_a"], got["group_b"]
    p = world.partners
    # The program cap binds: the shares add up to it to the cent.
    assert sum(row[6] for row in cap.values()) == D("9000.00")
    assert sum(row[4] > D("400.00") for row in cap.values()) > 0  # partner cap reached too
    # Marginal bands on payments, by hand: 822.00 at 1 %; 1,922.00 is 10.00 + 922.00 at 2 %.
    assert (plain[p[2]][1], plain[p[2]][6]) == (D("822.00"), D("8.22"))
    assert (plain[p[102]][1], plain[p[102]][6]) == (D("1922.00"), D("28.44"))
    # The stale row: kept, recomputed to zero.
    _end, basis, _band, *amounts = plain[world.stale]
    assert [basis, *amounts] == [D("0.00")] * 5
    assert len(plain) == 181  # 180 partners in Shanghai and the stale one
    # The exclusive group: 8 % of payments beats 3 % of orders for even i below 148 (i = 148:
    # 194.24 against 194.28) and for 150 and 160, whose orders had 100.00 returned; odd
    # partners paid nothing in Q1.
    both = group_a.keys() & group_b.keys()
    a_wins = sum(group_a[k][6] > 0 and group_b[k][6] == 0 for k in both)
    b_wins = sum(group_b[k][6] > 0 and group_a[k][6] == 0 for k in both)
    assert (len(both), a_wins, b_wins) == (PARTNERS, 120 + 46 - 2, 74 + 2)
    assert got["nobody"] == {}


def test_fanout_on_one_worker_equals_one_process(world, reference, first_worker):
    def fresh() -> None:
        RebateAccrual.objects.all().delete()
        stale_row(world)

    in_thread(SLUG, fresh)

    summaries = fan_out()

    assert in_thread(SLUG, snapshot) == reference
    # 240 partners in 40s: 6 batches; `plain` has 181 and 180 targets: 5; `nobody`, none.
    assert sorted(s["batches"] for s in summaries) == [0, 0, 5, 5, 6, 6, 6, 6, 6, 6]
    assert {node for s in summaries for node in s["workers"]} == {first_worker}
    assert [s["caught_up"] for s in summaries] == [0] * 10
    assert in_thread(SLUG, lambda: unfinished([s["run"] for s in summaries])) == 0


def test_fanout_on_two_workers_equals_one_process_and_both_work(
    world, reference, first_worker, second_worker
):
    in_thread(SLUG, lambda: RebateAccrual.objects.update(**GARBAGE))  # every row rewritten

    summaries = fan_out()

    assert in_thread(SLUG, snapshot) == reference
    assert sum(s["batches"] for s in summaries) == 46
    assert {node for s in summaries for node in s["workers"]} == {first_worker, second_worker}
    assert in_thread(SLUG, lambda: unfinished([s["run"] for s in summaries])) == 0


def test_a_batch_run_twice_on_a_worker_writes_the_same_rows(world, reference, first_worker):
    plain = world.programs["plain"]
    part = batches(q1_targets(world, "plain"), BATCH)[0]
    mine = RebateAccrual.objects.filter(program=plain, period_start=Q1[0], partner__in=part)

    def given() -> int:
        mine.update(**GARBAGE)
        return RebateRun.objects.create(scope="twice").pk

    run = in_thread(SLUG, given)
    task = recalculate_batch.si(plain, Q1[0].isoformat(), Q1[1].isoformat(), part, run).set(
        queue=QUEUE, headers={"_schema_name": SLUG}
    )

    first = task.apply_async().get(timeout=60)
    after_first = in_thread(SLUG, snapshot)
    second = task.apply_async().get(timeout=60)
    after_second = in_thread(SLUG, snapshot)

    assert (first["rows"], second["rows"]) == (BATCH, BATCH)
    assert after_first == after_second == reference
    assert in_thread(SLUG, lambda: set(mine.values_list("run", flat=True))) == {run}


def test_batches_of_one_program_overlap_and_a_whole_recalculation_waits(world, reference):
    cap = world.programs["cap"]
    first, second = batches(q1_targets(world, "cap"), BATCH)[:2]
    run = in_thread(SLUG, lambda: RebateRun.objects.create(scope="locks").pk)
    holding, release = threading.Event(), threading.Event()

    def first_batch_held_open() -> int:
        with transaction.atomic():
            rows = batch_write(cap, *Q1, first, run)
            holding.set()
            release.wait(20)  # keeps its FOR SHARE on the program row until told
        return rows

    def second_batch_then_whole_program() -> tuple[int, str]:
        try:
            assert holding.wait(20)
            rows = batch_write(cap, *Q1, second, run)  # commits beside the open first batch
            try:
                with transaction.atomic():
                    with connection.cursor() as cursor:
                        cursor.execute("SET LOCAL lock_timeout = '500ms'")
                    engine.recalculate(RebateProgram.objects.get(pk=cap), *Q1)
            except OperationalError as exc:
                return rows, type(exc.__cause__).__name__
            return rows, "recalculated beside an open batch"
        finally:
            release.set()

    results = run_concurrently(SLUG, [first_batch_held_open, second_batch_then_whole_program])

    assert results == [BATCH, (BATCH, "LockNotAvailable")]
    assert in_thread(SLUG, snapshot) == reference  # batches never touch the program cap's shares


def test_the_closing_task_writes_what_no_batch_wrote(world, reference):
    cap = world.programs["cap"]

    def given() -> int:
        RebateAccrual.objects.filter(program=cap, period_start=Q2[0]).delete()
        return RebateRun.objects.create(scope="no batches").pk

    run = in_thread(SLUG, given)

    caught_up = in_thread(SLUG, lambda: period_finish(cap, *Q2, run))

    assert caught_up == PARTNERS
    assert in_thread(SLUG, snapshot) == reference
    assert in_thread(SLUG, lambda: unfinished([run])) == 0
