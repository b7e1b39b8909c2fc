"""Vendor cockpit (`make bench`): the cockpit page on 2,000,000 order lines, server time p95 and
query count; and the rollup rebuild and one slice refresh that keep it current.

Seeds the bench vendor (Asia/Shanghai) with 2,000 partners (3 tiers, 4 types, 16 provinces in
five areas), 320 products over 4 product lines, ~400,000 orders over the 24 months 2025-01 to
2026-12 with 2,000,000 lines (statuses as in a live mall; cancelled and rejected included),
one shipment per shipped order and 200,000 payments, all with ``INSERT … SELECT
generate_series``; then rebuilds the monthly rollups (`rollups_rebuild`) and ANALYZEs.

Then renders ``/reports/cockpit/`` through Django's test client as the vendor admin, for a month,
a quarter and a year, unfiltered and filtered by area and by product line, 15 times each,
measuring server time (the request through the whole middleware stack and the template; no
network). Target: p95 under 300 ms. Prints the queries of one render with their times.

Not a test: `make test` collects only tests/. Everything runs inside the test transaction of the
bench tenant (see conftest.py), so it is rolled back.
"""

from __future__ import annotations

import statistics
import time
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from orders.models import Product, Warehouse
from partners.models import Partner, PartnerStatus, PartnerType, ProductLine, Tier
from prm.accounts.models import User
from prm.tenancy.selectors import tenant_zone
from reports.models import PartnerMonth, SalesLineMonth
from reports.rollups import rollups_rebuild, slice_refresh

N_PARTNERS = 2_000
N_ORDERS = 400_000
N_LINES = 2_000_000
N_PAYMENTS = 200_000
PRODUCTS_PER_LINE = 80
START, END = date(2025, 1, 1), date(2026, 12, 31)
RUNS = 15
TARGET_P95_MS = 300.0
SEED = 0.20261206
PROVINCES = [
    "广东", "江苏", "浙江", "山东", "湖北", "四川", "福建", "河南",
    "上海", "北京", "湖南", "安徽", "河北", "陕西", "重庆", "辽宁",
]  # fmt: skip
STATUS_MIX = [
    ("submitted", 4),
    ("approved", 5),
    ("partially_shipped", 3),
    ("shipped", 8),
    ("received", 10),
    ("completed", 62),
    ("cancelled", 5),
    ("rejected", 3),
]
SHIPPED = ("partially_shipped", "shipped", "received", "completed")


def _sql(statement: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute(statement)
        return cursor.rowcount


def _array(ids: list[int]) -> str:
    return "ARRAY[" + ",".join(str(i) for i in ids) + "]::bigint[]"


def _local(day: date) -> str:
    moment = datetime.combine(day, datetime.min.time(), tzinfo=tenant_zone())
    return f"'{moment.isoformat()}'::timestamptz"


def _seed() -> dict[str, float]:
    steps: dict[str, float] = {}

    def step(name: str, started: float) -> None:
        steps[name] = time.perf_counter() - started

    started = time.perf_counter()
    lines = [
        ProductLine.objects.get_or_create(code=f"ck-line-{i}", defaults={"name": n, "name_en": e})[
            0
        ]
        for i, (n, e) in enumerate(
            [
                ("工业网关", "Gateways"),
                ("交换机", "Switches"),
                ("传感器", "Sensors"),
                ("软件", "Software"),
            ]
        )
    ]
    products = Product.objects.bulk_create(
        [
            Product(
                sku=f"CK-{li}-{k:03d}",
                name=f"产品{li}-{k}",
                product_line=line,
                list_price=Decimal(50 + (k * 37 + li * 101) % 4950),
            )
            for li, line in enumerate(lines)
            for k in range(PRODUCTS_PER_LINE)
        ]
    )
    tiers = [
        Tier.objects.filter(code=code).first()
        or Tier.objects.create(code=code, name=name, name_en=code, rank=800 - rank)
        for rank, (code, name) in enumerate(
            [("ck-gold", "金牌"), ("ck-silver", "银牌"), ("ck-std", "普通")]
        )
    ]
    types = [PartnerType.DISTRIBUTOR, PartnerType.DEALER, PartnerType.DEALER, PartnerType.AGENT]
    partners = Partner.objects.bulk_create(
        [
            Partner(
                name=f"驾驶舱基准渠道{i:04d}有限公司",
                partner_type=types[i % 4],
                status=PartnerStatus.ACTIVE if i % 50 else PartnerStatus.SUSPENDED,
                tier=tiers[0] if i % 10 == 0 else tiers[1] if i % 10 < 4 else tiers[2],
                region=PROVINCES[i % len(PROVINCES)],
                city="",
            )
            for i in range(N_PARTNERS)
        ]
    )
    step("catalog + partners", started)
    ids = _array([p.pk for p in partners])
    statuses = "ARRAY[" + ",".join(f"'{s}'" for s, share in STATUS_MIX for _ in range(share)) + "]"
    since, until = _local(START), _local(END + timedelta(days=1))
    _sql(f"SELECT setseed({SEED})")
    started = time.perf_counter()
    _sql(
        f"""
        INSERT INTO orders_order (number, partner_id, status, currency, subtotal, discount_total,
            total, paid_prepaid, paid_rebate, paid_credit, placed_by_id, ship_to, note,
            received_at, created_at)
        SELECT 'CKO' || lpad(g::text, 7, '0'),
               ({ids})[1 + floor(power(random(), 1.8) * {N_PARTNERS})::int],
               ({statuses})[1 + floor(random() * 100)::int],
               'CNY', 0, 0, 0, 0, 0, 0, NULL, '', '', NULL,
               {since} + random() * ({until} - {since})
        FROM generate_series(1, {N_ORDERS}) AS g
        """  # noqa: S608 - literals built here
    )
    _sql("ANALYZE orders_order")
    step("orders", started)
    started = time.perf_counter()
    _sql(
        f"""
        WITH o AS (
            SELECT id, status, row_number() OVER (ORDER BY id) AS rn
            FROM orders_order WHERE number LIKE 'CKO%'
        ), p AS (
            SELECT id, list_price, row_number() OVER (ORDER BY id) AS rn
            FROM orders_product WHERE id = ANY({_array([p.pk for p in products])})
        ), g AS (
            SELECT 1 + floor(random() * {N_ORDERS})::int AS orn,
                   1 + floor(power(random(), 1.5) * {len(products)})::int AS prn,
                   1 + floor(power(random(), 2) * 30)::int AS qty
            FROM generate_series(1, {N_LINES})
        )
        INSERT INTO orders_orderline (order_id, product_id, quantity, list_price, unit_price,
            price_rule, discount, order_discount, line_total, is_gift, promotions,
            shipped_quantity, returned_quantity)
        SELECT o.id, p.id, g.qty, p.list_price, round(p.list_price * 0.92, 2), 'tier 92%', 0, 0,
               round(p.list_price * 0.92, 2) * g.qty, false, '[]',
               CASE WHEN o.status IN ('shipped', 'received', 'completed') THEN g.qty
                    WHEN o.status = 'partially_shipped' THEN g.qty / 2 ELSE 0 END, 0
        FROM g JOIN o ON o.rn = g.orn JOIN p ON p.rn = g.prn
        """  # noqa: S608
    )
    _sql("ANALYZE orders_orderline")
    _sql(
        """
        DELETE FROM orders_order o WHERE o.number LIKE 'CKO%'
        AND NOT EXISTS (SELECT 1 FROM orders_orderline l WHERE l.order_id = o.id)
        """
    )
    _sql(
        """
        UPDATE orders_order o SET subtotal = s.total, total = s.total, paid_prepaid = s.total
        FROM (SELECT order_id, sum(line_total) AS total FROM orders_orderline GROUP BY order_id) s
        WHERE s.order_id = o.id AND o.number LIKE 'CKO%'
        """
    )
    step("order lines", started)
    started = time.perf_counter()
    warehouse, _ = Warehouse.objects.get_or_create(code="ck-wh", defaults={"name": "华东仓"})
    shipped = ", ".join(f"'{s}'" for s in SHIPPED)
    _sql(
        f"""
        INSERT INTO orders_shipment (number, order_id, warehouse_id, carrier, tracking_number,
            shipped_at, shipped_by_id, delivered_at)
        SELECT 'CKS' || o.id, o.id, {warehouse.pk}, '顺丰', 'SF' || o.id,
               o.created_at + (0.5 + random() * 6) * interval '1 day', NULL, NULL
        FROM orders_order o WHERE o.number LIKE 'CKO%' AND o.status IN ({shipped})
        """  # noqa: S608
    )
    _sql("ANALYZE orders_shipment")
    _sql(
        """
        INSERT INTO orders_shipmentline (shipment_id, order_line_id, quantity)
        SELECT s.id, l.id, l.shipped_quantity
        FROM orders_shipment s JOIN orders_orderline l ON l.order_id = s.order_id
        WHERE s.number LIKE 'CKS%' AND l.shipped_quantity > 0
        """
    )
    days = (END - START).days + 1
    _sql(
        f"""
        INSERT INTO orders_payment (number, partner_id, amount, method, received_on, reference,
            source, external_id, recorded_by_id, created_at)
        SELECT 'CKP' || lpad(g::text, 7, '0'),
               ({ids})[1 + floor(power(random(), 1.8) * {N_PARTNERS})::int],
               round((1000 + power(random(), 2) * 200000)::numeric, 2), 'bank_transfer',
               date '{START}' + floor(random() * {days})::int, '', 'erp', '', NULL, now()
        FROM generate_series(1, {N_PAYMENTS}) AS g
        """  # noqa: S608
    )
    for table in ("orders_shipment", "orders_shipmentline", "orders_payment", "partners_partner"):
        _sql(f"ANALYZE {table}")
    step("shipments + payments", started)
    return steps


def _p95(times: list[float]) -> float:
    return statistics.quantiles(times, n=100, method="inclusive")[94]


def bench_cockpit(in_bench: Any) -> None:
    started = time.perf_counter()
    steps = _seed()
    counts = {
        "order lines": _count("SELECT count(*) FROM orders_orderline"),
        "orders": _count("SELECT count(*) FROM orders_order"),
        "shipments": _count("SELECT count(*) FROM orders_shipment"),
        "payments": _count("SELECT count(*) FROM orders_payment"),
    }
    print(
        f"\nseeded in {time.perf_counter() - started:.1f} s: "
        + ", ".join(f"{n:,} {what}" for what, n in counts.items())
    )
    print("  " + ", ".join(f"{name} {s:.1f} s" for name, s in steps.items()))

    started = time.perf_counter()
    line_rows, partner_rows = rollups_rebuild()
    _sql("ANALYZE reports_saleslinemonth")
    _sql("ANALYZE reports_partnermonth")
    print(
        f"rollups_rebuild: {time.perf_counter() - started:.1f} s → {line_rows:,} line-month rows, "
        f"{partner_rows:,} partner-month rows"
    )
    busiest = (
        SalesLineMonth.objects.values("partner_id", "month").order_by("-ordered_amount").first()
    )
    assert busiest is not None
    refreshes = []
    for _ in range(5):
        t0 = time.perf_counter()
        slice_refresh(partner_id=busiest["partner_id"], month=busiest["month"])
        refreshes.append((time.perf_counter() - t0) * 1000)
    print(
        f"slice_refresh of the busiest partner-month: median {statistics.median(refreshes):.1f} ms"
    )
    assert PartnerMonth.objects.exists()

    admin = User.objects.get(email="admin@bench.test")
    client = Client(HTTP_HOST="bench.localhost")
    client.force_login(admin)
    line = ProductLine.objects.get(code="ck-line-1")
    cases = {
        "month": "period=month&on=2026-11-15",
        "quarter": "period=quarter&on=2026-11-15",
        "year": "period=year&on=2026-06-01",
        "year, East China": "period=year&on=2026-06-01&area=east",
        "quarter, one line": f"period=quarter&on=2026-11-15&product_line={line.pk}",
    }
    everything: list[float] = []
    print(f"\n/reports/cockpit/ as the vendor admin, {RUNS} renders each (server time):")
    for name, query in cases.items():
        client.get(f"/reports/cockpit/?{query}")  # warm
        times = []
        for _ in range(RUNS):
            t0 = time.perf_counter()
            response = client.get(f"/reports/cockpit/?{query}")
            times.append((time.perf_counter() - t0) * 1000)
            assert response.status_code == 200
        everything += times
        print(f"  {name:20s} median {statistics.median(times):6.1f} ms  p95 {_p95(times):6.1f} ms")
    with CaptureQueriesContext(connection) as captured:
        client.get(f"/reports/cockpit/?{cases['year']}")
    print(f"\nqueries of one render (year): {len(captured.captured_queries)}")
    for q in sorted(captured.captured_queries, key=lambda q: -float(q["time"]))[:8]:
        print(f"  {float(q['time']) * 1000:7.1f} ms  {' '.join(q['sql'].split())[:140]}")
    p95 = _p95(everything)
    verdict = "met" if p95 < TARGET_P95_MS else "MISSED"
    print(f"\nall renders: p95 {p95:.1f} ms (target {TARGET_P95_MS:.0f} ms): {verdict}")


def _count(statement: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute(statement)
        return int(cursor.fetchone()[0])
