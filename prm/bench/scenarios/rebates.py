"""Rebate recalculation: every one of the 20 programs over all partners, next to one
hand-written SQL aggregate over the same order lines (the raw-SQL limit of any engine that must
at least read them once); and the incremental recalculation of one partner after one payment.

Two windows: the last full quarter (what the nightly job recomputes), and the last twelve months,
which at large scale hold the issue's 1,000,000 lines (a quarter holds an eighth of two years).
Everything written is rolled back, so the vendor's accruals stay as generated."""

from __future__ import annotations

import contextlib
import statistics
from datetime import date, datetime, timedelta
from decimal import Decimal
from functools import partial

from django.db import connection, transaction

from orders.ledger import payment_record
from partners.models import Partner, PartnerStatus
from rebates.engine import recalculate
from rebates.models import ProgramStatus, RebateProgram
from rebates.partner_run import recalculate_partner

from ..generate import Manifest
from ..measure import Result, sql_ms, timed_ms
from ..scales import END
from ..sql import local_midnight
from .common import in_vendor

TARGET_RATIO = 4.0
TARGET_INCREMENTAL_MS = 300.0
QUARTER = (date(2026, 7, 1), date(2026, 9, 30))
YEAR = (date(END.year - 1, END.month + 1, 1) if END.month < 12 else date(END.year, 1, 1), END)

AGGREGATE = """
SELECT o.partner_id, sum(l.line_total)
FROM orders_orderline l JOIN orders_order o ON o.id = l.order_id
WHERE o.created_at >= {since} AND o.created_at < {until}
  AND o.status NOT IN ('cancelled', 'rejected') AND NOT l.is_gift
GROUP BY o.partner_id
"""


class Undo(Exception):
    pass


def _window(manifest: Manifest, label: str, start: date, end: date) -> list[Result]:
    aggregate = AGGREGATE.format(
        since=local_midnight(start), until=local_midnight(end + timedelta(days=1))
    )
    programs = list(RebateProgram.objects.order_by("pk"))
    reference = next(p for p in programs if p.code == "bench-ordered-all")
    lines = _lines(start, end)
    sql_ms(aggregate)  # warm the buffers for the aggregate and the engine alike
    baseline = [sql_ms(aggregate) for _ in range(3)]
    one, every = [], []
    with contextlib.suppress(Undo), transaction.atomic():
        for _ in range(3):
            one.append(timed_ms(partial(recalculate, reference, start, end))[0])
        total = 0.0
        for program in programs:
            total += timed_ms(partial(recalculate, program, start, end))[0]
        every.append(total)
        raise Undo
    base = statistics.median(baseline)
    return [
        Result(
            scenario=f"rebates, 1 ordered program, {label} ({lines:,} lines)",
            scale=manifest.scale,
            samples_ms=one,
            target=f"≤ {TARGET_RATIO:.0f}× the aggregate",
            met=statistics.median(one) <= TARGET_RATIO * base,
            baseline="one hand-written SUM … GROUP BY partner",
            baseline_ms=baseline,
        ),
        Result(
            scenario=f"rebates, all {len(programs)} programs, {label} ({lines:,} lines)",
            scale=manifest.scale,
            samples_ms=every,
            target=f"≤ {TARGET_RATIO:.0f}× the aggregate",
            met=statistics.median(every) <= TARGET_RATIO * base,
            baseline="one hand-written SUM … GROUP BY partner",
            baseline_ms=baseline,
            notes={"bases": ", ".join(sorted({str(p.basis) for p in programs}))},
        ),
    ]


def _lines(start: date, end: date) -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM orders_orderline l JOIN orders_order o ON o.id = l.order_id "
            "WHERE o.created_at >= %s AND o.created_at < %s",
            [_aware(start), _aware(end + timedelta(days=1))],
        )
        return int(cursor.fetchone()[0])


def _aware(day: date) -> datetime:
    from prm.tenancy.selectors import tenant_zone

    return datetime.combine(day, datetime.min.time(), tzinfo=tenant_zone())


def _incremental(manifest: Manifest) -> Result:
    day = END - timedelta(days=10)
    active = list(Partner.objects.filter(status=PartnerStatus.ACTIVE).order_by("pk"))
    partners = active[len(active) // 20 :: max(1, len(active) // 9)][:9]
    samples = []
    with contextlib.suppress(Undo), transaction.atomic():
        for partner in partners:
            payment_record(
                partner=partner, amount=Decimal("88888.88"), received_on=day,
                method="bank_transfer", source="erp",
            )  # fmt: skip
            samples.append(timed_ms(partial(recalculate_partner, partner, day))[0])
        raise Undo
    return Result(
        scenario="rebates, one partner after one payment (incremental)",
        scale=manifest.scale,
        samples_ms=samples,
        target=f"median ≤ {TARGET_INCREMENTAL_MS:.0f} ms",
        met=statistics.median(samples) <= TARGET_INCREMENTAL_MS,
        notes={"programs": RebateProgram.objects.filter(status=ProgramStatus.ACTIVE).count()},
    )


def run(manifest: Manifest) -> list[Result]:
    with in_vendor(manifest):
        results = _window(manifest, "2026 Q3", *QUARTER)
        results += _window(manifest, "12 months", *YEAR)
        results.append(_incremental(manifest))
    return results
