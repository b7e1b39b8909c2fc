"""Rebate recalculation (`make bench`): a quarter for 1,000,000 order lines, 2,000 partners and
20 programs, next to one hand-written SQL aggregate over the same rows; and the incremental
recalculation of one partner after one payment.

Seeds the bench vendor (Asia/Shanghai) with 2,000 partners (a few still applying, tiers, types
and provinces mixed), 320 products over 4 product lines and 16 categories, ~200,000 orders in
Q3 2026 with 1,000,000 lines (statuses as in a live mall: cancelled and rejected ones included,
2 % gift lines, totals consistent with their lines), one shipment per shipped order, ~2,300
returns (most received, some requested or rejected), 100,000 payments, all with
``INSERT … SELECT generate_series``; then 20 active quarterly programs mixing bases (ordered,
quantity, collected, shipped), tier modes, product-line / category / SKU scopes, eligibility by
tier, province, partner type and named partners, and caps. ANALYZE.

Then times ``recalculate(program, q_start, q_end)`` for each program (all partners), the
hand-written aggregate (order lines joined to orders, quarter, not cancelled, per partner) and
``payment_record`` + ``recalculate_partner(partner, day)`` for several partners.
Targets: the engine, for one program on the ordered basis without scope or eligibility (the same
rows as the aggregate), under 4x the aggregate; the incremental recalculation under 300 ms
(median). Missed targets print EXPLAIN ANALYZE of the slowest statement; RBENCH_PROFILE=1
also prints a cProfile of one incremental run.

Not a test: `make test` collects only tests/. Everything runs inside the test transaction of the
bench tenant (see conftest.py), so it is rolled back, and the database is dropped at the end.
"""

from __future__ import annotations

import cProfile
import os
import pstats
import statistics
import time
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from functools import partial
from typing import Any

from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from orders.ledger import payment_record
from orders.models import Category, Product, Warehouse
from partners.models import Partner, PartnerStatus, PartnerType, ProductLine, Region, Tier
from prm.tenancy.selectors import tenant_zone
from rebates.engine import basis_by_partner, recalculate
from rebates.models import (
    Basis,
    PeriodType,
    ProgramStatus,
    RebateAccrual,
    RebateProgram,
    RebateTier,
    TierMode,
)
from rebates.partner_run import recalculate_partner

N_PARTNERS = 2_000
N_APPLIED = 40  # still applying: never eligible, never order
N_LINES = 1_000_000
N_ORDERS = 200_000  # lines are spread at random: ~5 per order (orders left empty are dropped)
N_PAYMENTS = 100_000
N_LINES_PER_PRODUCT_LINE = 80  # products per product line
Q_START, Q_END = date(2026, 7, 1), date(2026, 9, 30)
PAYMENT_DAY = date(2026, 9, 15)
TARGET_RATIO = 4.0
TARGET_INCREMENTAL_MS = 300.0
INCREMENTAL_RUNS = 9
AGGREGATE_RUNS = 3
SEED = 0.20250701

PROVINCES = ["广东", "江苏", "浙江", "山东", "湖北", "四川", "福建", "河南"]
STATUS_MIX = [  # (order status, percent)
    ("submitted", 4),
    ("approved", 5),
    ("partially_shipped", 3),
    ("shipped", 8),
    ("received", 10),
    ("completed", 60),
    ("cancelled", 7),
    ("rejected", 3),
]
SHIPPED = ("partially_shipped", "shipped", "received", "completed")
CANCELLED = ("cancelled", "rejected")


def _ms(seconds: float) -> float:
    return seconds * 1000


def _sql(statement: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute(statement)
        return cursor.rowcount


def _array(ids: list[int]) -> str:
    return "ARRAY[" + ",".join(str(i) for i in ids) + "]::bigint[]"


def _text_array(values: list[str]) -> str:
    return "ARRAY[" + ",".join(f"'{v}'" for v in values) + "]::text[]"


def _local(day: date) -> str:
    """Local midnight starting `day` in the vendor's zone, as a timestamptz literal."""
    moment = datetime.combine(day, datetime.min.time(), tzinfo=tenant_zone())
    return f"'{moment.isoformat()}'::timestamptz"


# --- seeding -----------------------------------------------------------------------------------


@dataclass
class Seeded:
    partners: list[int]  # ordering partners (not applying)
    lines: list[int]  # product line ids
    programs: list[RebateProgram]
    counts: dict[str, int] = field(default_factory=dict)
    steps: dict[str, float] = field(default_factory=dict)
    seconds: float = 0.0


@contextmanager
def _step(seeded: Seeded, name: str) -> Iterator[None]:
    started = time.perf_counter()
    yield
    seeded.steps[name] = time.perf_counter() - started


def _catalog() -> tuple[list[int], list[Category], list[int]]:
    lines = [
        ProductLine.objects.get_or_create(
            code=f"rb-line-{i}", defaults={"name": name, "name_en": name_en}
        )[0]
        for i, (name, name_en) in enumerate(
            [
                ("工业网关", "Gateways"),
                ("交换机", "Switches"),
                ("传感器", "Sensors"),
                ("软件", "Software"),
            ]
        )
    ]
    parents = Category.objects.bulk_create(
        [Category(code=f"rb-cat-{i}", name=f"大类{i}", position=i) for i in range(4)]
    )
    children = Category.objects.bulk_create(
        [
            Category(code=f"rb-cat-{i}-{j}", name=f"小类{i}-{j}", parent=parent, position=j)
            for i, parent in enumerate(parents)
            for j in range(3)
        ]
    )
    products = Product.objects.bulk_create(
        [
            Product(
                sku=f"RB-{li}-{k:03d}",
                name=f"产品{li}-{k}",
                category=children[(li * 3 + k) % len(children)],
                product_line=line,
                list_price=Decimal(50 + (k * 37 + li * 101) % 4950),
            )
            for li, line in enumerate(lines)
            for k in range(N_LINES_PER_PRODUCT_LINE)
        ]
    )
    return [line.pk for line in lines], parents, [p.pk for p in products]


def _partners() -> tuple[list[int], list[Tier]]:
    tiers = []
    for rank, (code, name) in enumerate(
        [("rb-gold", "金牌"), ("rb-silver", "银牌"), ("rb-std", "普通")]
    ):
        tier = Tier.objects.filter(code=code).first() or Tier.objects.create(
            code=code, name=name, name_en=code, rank=900 - rank
        )
        tiers.append(tier)
    for i, province in enumerate(PROVINCES):
        Region.objects.get_or_create(
            code=f"rb{i:02d}", defaults={"name": province, "level": Region.Level.PROVINCE}
        )
    types = [PartnerType.DISTRIBUTOR, PartnerType.DEALER, PartnerType.DEALER, PartnerType.AGENT]
    rows = [
        Partner(
            name=f"返利基准渠道{i:04d}有限公司",
            partner_type=types[i % len(types)],
            status=PartnerStatus.APPLIED if i < N_APPLIED else PartnerStatus.ACTIVE,
            tier=tiers[0] if i % 10 == 0 else tiers[1] if i % 10 < 4 else tiers[2],
            region=PROVINCES[i % len(PROVINCES)],
            city="",
        )
        for i in range(N_PARTNERS)
    ]
    created = Partner.objects.bulk_create(rows)
    return [p.pk for p in created if p.status != PartnerStatus.APPLIED], tiers


def _orders(seeded: Seeded, products: list[int]) -> None:
    partners = _array(seeded.partners)
    statuses = _text_array([s for s, share in STATUS_MIX for _ in range(share)])
    since, until = _local(Q_START), _local(Q_END + timedelta(days=1))
    _sql(f"SELECT setseed({SEED})")
    _analyze("orders_product", "partners_partner")
    with _step(seeded, "orders"):
        # Skewed: a few partners place many orders, most place a few.
        seeded.counts["orders"] = _sql(
            f"""
            INSERT INTO orders_order (number, partner_id, status, currency, subtotal,
                discount_total, total, paid_prepaid, paid_rebate, paid_credit, placed_by_id,
                ship_to, note, received_at, created_at)
            SELECT 'RBO' || lpad(g::text, 7, '0'),
                   ({partners})[1 + floor(power(random(), 1.8) * {len(seeded.partners)})::int],
                   ({statuses})[1 + floor(random() * 100)::int],
                   'CNY', 0, 0, 0, 0, 0, 0, NULL, '', '', NULL,
                   {since} + random() * ({until} - {since})
            FROM generate_series(1, {N_ORDERS}) AS g
            """  # noqa: S608 - literals built here
        )
    with _step(seeded, "order lines"):
        seeded.counts["order lines"] = _sql(
            f"""
            WITH o AS (
                SELECT id, status, row_number() OVER (ORDER BY id) AS rn
                FROM orders_order WHERE number LIKE 'RBO%'
            ), p AS (
                SELECT id, list_price, row_number() OVER (ORDER BY id) AS rn
                FROM orders_product WHERE id = ANY({_array(products)})
            ), g AS (
                SELECT 1 + floor(random() * {N_ORDERS})::int AS orn,
                       1 + floor(power(random(), 1.5) * {len(products)})::int AS prn,
                       1 + floor(power(random(), 2) * 30)::int AS qty,
                       random() < 0.02 AS gift
                FROM generate_series(1, {N_LINES})
            ), priced AS (
                SELECT o.id AS order_id, o.status, p.id AS product_id, g.qty, g.gift,
                       p.list_price,
                       CASE WHEN g.gift THEN 0 ELSE round(p.list_price * 0.92, 2) END AS unit
                FROM g JOIN o ON o.rn = g.orn JOIN p ON p.rn = g.prn
            )
            INSERT INTO orders_orderline (order_id, product_id, quantity, list_price,
                unit_price, price_rule, discount, order_discount, line_total, is_gift,
                promotions, shipped_quantity, returned_quantity)
            SELECT order_id, product_id, qty, list_price, unit,
                   CASE WHEN gift THEN 'gift' ELSE 'tier 92%' END, 0, 0, unit * qty, gift, '[]',
                   CASE WHEN status IN ('shipped', 'received', 'completed') THEN qty
                        WHEN status = 'partially_shipped' THEN qty / 2 ELSE 0 END,
                   0
            FROM priced
            """  # noqa: S608
        )
        _analyze("orders_order", "orders_orderline")
    with _step(seeded, "order totals"):
        _sql(
            """
            DELETE FROM orders_order o WHERE o.number LIKE 'RBO%'
            AND NOT EXISTS (SELECT 1 FROM orders_orderline l WHERE l.order_id = o.id)
            """
        )
        _sql(
            """
            UPDATE orders_order o
            SET subtotal = s.total, total = s.total, paid_prepaid = s.total
            FROM (SELECT order_id, sum(line_total) AS total FROM orders_orderline
                  GROUP BY order_id) AS s
            WHERE s.order_id = o.id AND o.number LIKE 'RBO%'
            """
        )
        seeded.counts["orders"] = _count(
            "SELECT count(*) FROM orders_order WHERE number LIKE 'RBO%'"
        )


def _analyze(*tables: str) -> None:
    """Statistics for what was just inserted: a reused database can hold the statistics of an
    empty table (autovacuum after the last rollback), and the next INSERT … SELECT would then
    join 1,000,000 lines by nested loop."""
    for table in tables:
        _sql(f"ANALYZE {table}")


def _count(statement: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute(statement)
        return int(cursor.fetchone()[0])


def _shipments_returns_payments(seeded: Seeded) -> None:
    warehouse, _ = Warehouse.objects.get_or_create(code="rb-wh", defaults={"name": "华南仓"})
    shipped = ", ".join(f"'{s}'" for s in SHIPPED)
    with _step(seeded, "shipments"):
        seeded.counts["shipments"] = _sql(
            f"""
            INSERT INTO orders_shipment (number, order_id, warehouse_id, carrier,
                tracking_number, shipped_at, shipped_by_id, delivered_at)
            SELECT 'RBS' || o.id, o.id, {warehouse.pk}, '顺丰', 'SF' || o.id,
                   o.created_at + (0.5 + random() * 6) * interval '1 day', NULL, NULL
            FROM orders_order o WHERE o.number LIKE 'RBO%' AND o.status IN ({shipped})
            """  # noqa: S608
        )
        _analyze("orders_shipment")
        seeded.counts["shipment lines"] = _sql(
            """
            INSERT INTO orders_shipmentline (shipment_id, order_line_id, quantity)
            SELECT s.id, l.id, l.shipped_quantity
            FROM orders_shipment s JOIN orders_orderline l ON l.order_id = s.order_id
            WHERE s.number LIKE 'RBS%' AND l.shipped_quantity > 0
            """
        )
        _analyze("orders_shipment", "orders_shipmentline")
    with _step(seeded, "returns"):
        seeded.counts["returns"] = _sql(
            """
            INSERT INTO orders_returnrequest (number, order_id, status, reason, refund_total,
                requested_by_id, created_at)
            SELECT 'RBR' || o.id, o.id,
                   (ARRAY['received', 'received', 'received', 'received', 'received',
                          'received', 'received', 'received', 'requested', 'rejected'])
                       [1 + floor(random() * 10)::int],
                   '质量问题', 0, NULL, o.created_at + (3 + random() * 30) * interval '1 day'
            FROM orders_order o
            WHERE o.number LIKE 'RBO%' AND o.status = 'completed' AND random() < 0.02
            """
        )
        seeded.counts["return lines"] = _sql(
            """
            INSERT INTO orders_returnline (request_id, order_line_id, quantity, refund)
            SELECT r.id, l.id, greatest(1, l.shipped_quantity / 3),
                   round(l.line_total * greatest(1, l.shipped_quantity / 3) / l.quantity, 2)
            FROM orders_returnrequest r JOIN orders_orderline l ON l.order_id = r.order_id
            WHERE r.number LIKE 'RBR%' AND l.shipped_quantity > 0 AND NOT l.is_gift
              AND random() < 0.4
            """
        )
        _analyze("orders_returnrequest", "orders_returnline")
        _sql(
            """
            UPDATE orders_orderline l SET returned_quantity = rl.quantity
            FROM orders_returnline rl JOIN orders_returnrequest r ON r.id = rl.request_id
            WHERE rl.order_line_id = l.id AND r.number LIKE 'RBR%' AND r.status = 'received'
            """
        )
        _sql(
            """
            UPDATE orders_returnrequest r SET refund_total = s.total
            FROM (SELECT request_id, sum(refund) AS total FROM orders_returnline
                  GROUP BY request_id) AS s
            WHERE s.request_id = r.id AND r.number LIKE 'RBR%' AND r.status = 'received'
            """
        )
    days = (Q_END - Q_START).days + 1
    with _step(seeded, "payments"):
        seeded.counts["payments"] = _sql(
            f"""
            INSERT INTO orders_payment (number, partner_id, amount, method, received_on,
                reference, source, external_id, recorded_by_id, created_at)
            SELECT 'RBP' || lpad(g::text, 7, '0'),
                   ({_array(seeded.partners)})
                       [1 + floor(power(random(), 1.8) * {len(seeded.partners)})::int],
                   round((1000 + power(random(), 2) * 200000)::numeric, 2), 'bank_transfer',
                   date '{Q_START}' + floor(random() * {days})::int, '', 'erp', '', NULL, now()
            FROM generate_series(1, {N_PAYMENTS}) AS g
            """  # noqa: S608
        )


@dataclass(frozen=True)
class Spec:
    code: str
    basis: Basis
    mode: TierMode
    bands: list[tuple[int, int | None, str | None, int | None]]  # from, to, rate %, fixed
    lines: tuple[int, ...] = ()  # indexes into the product lines
    categories: bool = False  # the first top-level category (and its children)
    skus: int = 0  # that many named SKUs
    excluded: int = 0  # that many excluded SKUs
    tiers: tuple[int, ...] = ()  # indexes into the tiers
    provinces: tuple[int, ...] = ()
    types: tuple[str, ...] = ()
    named: int = 0  # that many named partners
    partner_cap: int | None = None
    program_cap: int | None = None


AMOUNT_BANDS: list[tuple[int, int | None, str | None, int | None]] = [
    (1_000_000, 5_000_000, "1", None),
    (5_000_000, 20_000_000, "2", None),
    (20_000_000, None, "3.5", None),
]
LINE_BANDS: list[tuple[int, int | None, str | None, int | None]] = [
    (200_000, 1_000_000, "1.5", None),
    (1_000_000, 5_000_000, "2.5", None),
    (5_000_000, None, "4", None),
]
QUANTITY_BANDS: list[tuple[int, int | None, str | None, int | None]] = [
    (500, 2_000, None, 2_000),
    (2_000, 8_000, None, 10_000),
    (8_000, None, None, 50_000),
]
COLLECTED_BANDS: list[tuple[int, int | None, str | None, int | None]] = [
    (500_000, 1_000_000, "3", None),
    (1_000_000, None, "5", None),
]
D, A = PartnerType.DISTRIBUTOR.value, PartnerType.AGENT.value
SPECS = [
    Spec("rb-ordered-all", Basis.ORDERED, TierMode.RETROACTIVE, AMOUNT_BANDS),
    Spec("rb-ordered-marginal", Basis.ORDERED, TierMode.MARGINAL, AMOUNT_BANDS),
    Spec("rb-ordered-line0", Basis.ORDERED, TierMode.RETROACTIVE, LINE_BANDS, lines=(0,)),
    Spec("rb-ordered-line1", Basis.ORDERED, TierMode.MARGINAL, LINE_BANDS, lines=(1,)),
    Spec("rb-ordered-line23", Basis.ORDERED, TierMode.RETROACTIVE, LINE_BANDS, lines=(2, 3)),
    Spec("rb-ordered-cat", Basis.ORDERED, TierMode.MARGINAL, LINE_BANDS, categories=True),
    Spec("rb-ordered-gold", Basis.ORDERED, TierMode.RETROACTIVE, AMOUNT_BANDS, tiers=(0, 1)),
    Spec(
        "rb-ordered-gd-cap",
        Basis.ORDERED,
        TierMode.RETROACTIVE,
        LINE_BANDS,
        lines=(0,),
        provinces=(0,),
        partner_cap=50_000,
    ),
    Spec(
        "rb-ordered-dist",
        Basis.ORDERED,
        TierMode.MARGINAL,
        AMOUNT_BANDS,
        types=(D,),
        program_cap=2_000_000,
    ),
    Spec("rb-ordered-skus", Basis.ORDERED, TierMode.RETROACTIVE, LINE_BANDS, skus=40, excluded=5),
    Spec("rb-quantity-all", Basis.QUANTITY, TierMode.RETROACTIVE, QUANTITY_BANDS),
    Spec("rb-quantity-line2", Basis.QUANTITY, TierMode.MARGINAL, QUANTITY_BANDS, lines=(2,)),
    Spec("rb-quantity-named", Basis.QUANTITY, TierMode.RETROACTIVE, QUANTITY_BANDS, named=200),
    Spec("rb-collected-all", Basis.COLLECTED, TierMode.RETROACTIVE, COLLECTED_BANDS),
    Spec(
        "rb-collected-gold",
        Basis.COLLECTED,
        TierMode.MARGINAL,
        COLLECTED_BANDS,
        tiers=(0,),
        partner_cap=30_000,
    ),
    Spec(
        "rb-collected-east",
        Basis.COLLECTED,
        TierMode.RETROACTIVE,
        COLLECTED_BANDS,
        provinces=(1, 2, 6),
        program_cap=1_500_000,
    ),
    Spec("rb-shipped-all", Basis.SHIPPED, TierMode.RETROACTIVE, AMOUNT_BANDS),
    Spec("rb-shipped-line1", Basis.SHIPPED, TierMode.MARGINAL, LINE_BANDS, lines=(1,)),
    Spec(
        "rb-shipped-agents",
        Basis.SHIPPED,
        TierMode.RETROACTIVE,
        AMOUNT_BANDS,
        types=(A, D),
        program_cap=3_000_000,
    ),
    Spec(
        "rb-quantity-cat-ex",
        Basis.QUANTITY,
        TierMode.MARGINAL,
        QUANTITY_BANDS,
        categories=True,
        excluded=10,
    ),
]


def _programs(
    seeded: Seeded, parents: list[Category], products: list[int], tiers: list[Tier]
) -> list[RebateProgram]:
    programs = []
    provinces = list(Region.objects.filter(code__startswith="rb").order_by("code"))
    for spec in SPECS:
        program = RebateProgram.objects.create(
            code=spec.code,
            name=spec.code,
            status=ProgramStatus.ACTIVE,
            period_type=PeriodType.QUARTER,
            starts_on=date(2026, 1, 1),
            ends_on=date(2026, 12, 31),
            basis=spec.basis,
            tier_mode=spec.mode,
            partner_types=list(spec.types),
            partner_cap=Decimal(spec.partner_cap) if spec.partner_cap else None,
            program_cap=Decimal(spec.program_cap) if spec.program_cap else None,
        )
        RebateTier.objects.bulk_create(
            [
                RebateTier(
                    program=program,
                    threshold_from=Decimal(low),
                    threshold_to=None if high is None else Decimal(high),
                    rate=None if rate is None else Decimal(rate),
                    fixed_amount=None if fixed is None else Decimal(fixed),
                )
                for low, high, rate, fixed in spec.bands
            ]
        )
        program.product_lines.set([seeded.lines[i] for i in spec.lines])
        if spec.categories:
            program.categories.set([parents[0]])
        program.products.set(products[7 : 7 + spec.skus])
        program.excluded_products.set(products[: spec.excluded])
        program.tiers.set([tiers[i] for i in spec.tiers])
        program.regions.set([provinces[i] for i in spec.provinces])
        program.partners.set(seeded.partners[5 : 5 + spec.named * 7 : 7])
        programs.append(program)
    return programs


def seed() -> Seeded:
    started = time.perf_counter()
    seeded = Seeded(partners=[], lines=[], programs=[])
    with _step(seeded, "catalog + partners"):
        seeded.lines, parents, products = _catalog()
        seeded.partners, tiers = _partners()
    _orders(seeded, products)
    _shipments_returns_payments(seeded)
    with _step(seeded, "programs"):
        seeded.programs = _programs(seeded, parents, products, tiers)
    with _step(seeded, "analyze"):
        for table in (
            "partners_partner",
            "orders_product",
            "orders_order",
            "orders_orderline",
            "orders_shipment",
            "orders_shipmentline",
            "orders_returnrequest",
            "orders_returnline",
            "orders_payment",
        ):
            _sql(f"ANALYZE {table}")
    seeded.counts = {
        "partners": N_PARTNERS,
        "products": len(products),
        **seeded.counts,
        "programs": len(seeded.programs),
    }
    seeded.seconds = time.perf_counter() - started
    return seeded


# --- measuring ---------------------------------------------------------------------------------


@dataclass
class Timed:
    seconds: float
    queries: list[dict[str, Any]]

    def slowest(self) -> dict[str, Any]:
        return max(self.queries, key=lambda q: float(q["time"]))


def _timed(run: Callable[[], object]) -> Timed:
    with CaptureQueriesContext(connection) as captured:
        started = time.perf_counter()
        run()
        seconds = time.perf_counter() - started
    return Timed(seconds, list(captured.captured_queries))


AGGREGATE = """
SELECT o.partner_id, SUM(l.line_total)
FROM orders_orderline l JOIN orders_order o ON o.id = l.order_id
WHERE o.created_at >= {since} AND o.created_at < {until}
  AND o.status NOT IN ('cancelled', 'rejected') AND NOT l.is_gift
GROUP BY o.partner_id
"""


def _aggregate() -> tuple[float, int]:
    statement = AGGREGATE.format(since=_local(Q_START), until=_local(Q_END + timedelta(days=1)))
    with connection.cursor() as cursor:
        started = time.perf_counter()
        cursor.execute(statement)
        rows = cursor.fetchall()
        return time.perf_counter() - started, len(rows)


def _explain(sql: str) -> str:
    """EXPLAIN (ANALYZE, BUFFERS) of `sql`, in a savepoint rolled back (it may write)."""
    plan = ""

    class Undo(Exception):
        pass

    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}")
            plan = "\n".join(row[0] for row in cursor.fetchall())
            raise Undo
    except Undo:
        pass
    return plan


def _short(sql: str, width: int = 150) -> str:
    text = " ".join(sql.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def _summary(times: list[float]) -> str:
    p95 = statistics.quantiles(times, n=100, method="inclusive")[94]
    return (
        f"n={len(times)}  median={statistics.median(times):6.1f} ms  p95={p95:6.1f} ms  "
        f"min={min(times):6.1f} ms  max={max(times):6.1f} ms"
    )


def bench_rebate_recalculation(in_bench: Any) -> None:
    # More than Django's 9,000 statements per recalculation would empty CaptureQueriesContext.
    connection.queries_log = deque(maxlen=1_000_000)
    _bench()


def _bench() -> None:
    seeded = seed()
    print(
        f"\nseeded in {seeded.seconds:.1f} s: "
        + ", ".join(f"{n:,} {what}" for what, n in seeded.counts.items())
    )
    print("  " + ", ".join(f"{step} {s:.1f} s" for step, s in seeded.steps.items()))

    _aggregate()  # warm the buffers for the aggregate and the first program alike
    load = ", ".join(f"{n:.2f}" for n in os.getloadavg())
    print(f"\nrecalculate(program, {Q_START}, {Q_END}), all partners (load average {load}):")
    per_program: dict[str, Timed] = {}
    for program in seeded.programs:
        timed = _timed(partial(recalculate, program, Q_START, Q_END))
        per_program[program.code] = timed
        accruals = RebateAccrual.objects.filter(program=program, period_start=Q_START)
        slowest = timed.slowest()
        print(
            f"  {program.code:20s} {program.basis:9s} {_ms(timed.seconds):8.0f} ms  "
            f"{accruals.count():5d} accruals  {len(timed.queries):3d} queries, "
            f"slowest {float(slowest['time']) * 1000:6.0f} ms: {_short(slowest['sql'], 70)}"
        )
    total = sum(t.seconds for t in per_program.values())
    print(f"  {'total, 20 programs':30s} {_ms(total):8.0f} ms")

    reference = seeded.programs[0]  # ordered, every partner, every product
    reruns = [_timed(lambda: recalculate(reference, Q_START, Q_END)) for _ in range(2)]
    engine_runs = [per_program[reference.code], *reruns]
    engine_s = statistics.median(t.seconds for t in engine_runs)
    aggregates = []
    groups = 0
    for _ in range(AGGREGATE_RUNS):
        seconds, groups = _aggregate()
        aggregates.append(seconds)
    aggregate = statistics.median(aggregates)
    started = time.perf_counter()
    basis_by_partner(reference, Q_START, Q_END)
    by_partner = time.perf_counter() - started
    ratio = engine_s / aggregate
    print(
        f"\none ordered program ({reference.code}) vs the hand-written aggregate "
        f"({groups} partners):\n"
        f"  engine     runs {', '.join(f'{_ms(t.seconds):.0f}' for t in engine_runs)} ms "
        f"(first, then re-runs), median {_ms(engine_s):.0f} ms\n"
        f"  aggregate  runs {', '.join(f'{_ms(s):.0f}' for s in aggregates)} ms, "
        f"median {_ms(aggregate):.0f} ms\n"
        f"  ratio {ratio:.2f}x (target < {TARGET_RATIO:.0f}x); "
        f"20 programs {total / aggregate:.1f}x\n"
        f"  basis_by_partner alone (the engine's aggregate, nothing written) "
        f"{_ms(by_partner):.0f} ms = {by_partner / aggregate:.2f}x"
    )
    print("  statements of the last re-run, slowest first:")
    for query in sorted(reruns[-1].queries, key=lambda q: -float(q["time"]))[:6]:
        print(f"    {float(query['time']) * 1000:7.0f} ms  {_short(query['sql'])}")

    # Incremental: one payment, then the partner's periods of every active program.
    partners = list(
        Partner.objects.filter(pk__in=seeded.partners[100 : 100 + INCREMENTAL_RUNS * 50 : 50])
    )
    incremental: list[float] = []
    slow_runs: list[Timed] = []
    for partner in partners:
        payment_record(
            partner=partner,
            amount=Decimal("88888.88"),
            received_on=PAYMENT_DAY,
            method="bank_transfer",
        )
        timed = _timed(partial(recalculate_partner, partner, PAYMENT_DAY))
        incremental.append(_ms(timed.seconds))
        slow_runs.append(timed)
    print(
        f"\npayment_record + recalculate_partner(partner, {PAYMENT_DAY}), 20 programs, "
        f"{len(partners)} partners:\n  recalculate_partner {_summary(incremental)}"
    )
    if os.environ.get("RBENCH_PROFILE") == "1":  # where the incremental run spends its time
        profile = cProfile.Profile()
        profile.runcall(recalculate_partner, partners[0], PAYMENT_DAY)
        pstats.Stats(profile).sort_stats("cumulative").print_stats(35)
    worst = max(slow_runs, key=lambda t: t.seconds)
    print(f"  slowest run: {len(worst.queries)} queries; the slowest statements:")
    for query in sorted(worst.queries, key=lambda q: -float(q["time"]))[:6]:
        print(f"    {float(query['time']) * 1000:7.1f} ms  {_short(query['sql'])}")

    median = statistics.median(incremental)
    met_ratio = ratio < TARGET_RATIO
    met_incremental = median < TARGET_INCREMENTAL_MS
    if not met_ratio:
        sql = reruns[-1].slowest()["sql"]
        print(f"\nEXPLAIN ANALYZE, the slowest statement of {reference.code}:\n{_explain(sql)}")
    if not met_incremental:
        sql = worst.slowest()["sql"]
        print(f"\nEXPLAIN ANALYZE, the slowest statement of the incremental run:\n{_explain(sql)}")
    print(
        f"\nratio {ratio:.2f}x, target < {TARGET_RATIO:.0f}x: {'met' if met_ratio else 'MISSED'}; "
        f"incremental median {median:.0f} ms, target < {TARGET_INCREMENTAL_MS:.0f} ms: "
        f"{'met' if met_incremental else 'MISSED'}"
    )
    assert met_ratio, f"the engine takes {ratio:.2f}x the aggregate (target < {TARGET_RATIO}x)"
    assert met_incremental, f"incremental median {median:.0f} ms (target < 300 ms)"
