"""What every scenario reports: samples in milliseconds, the statements one run sends, and the
raw-SQL baseline measured in the same run, so a number is always read against its limit."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.test.utils import CaptureQueriesContext


def p95(samples: list[float]) -> float:
    if len(samples) < 2:
        return samples[0] if samples else 0.0
    return statistics.quantiles(samples, n=100, method="inclusive")[94]


def timed_ms(fn: Callable[[], Any]) -> tuple[float, Any]:
    started = time.perf_counter()
    result = fn()
    return (time.perf_counter() - started) * 1000, result


def repeat_ms(fn: Callable[[], Any], runs: int, warm: int = 1) -> list[float]:
    for _ in range(warm):
        fn()
    return [timed_ms(fn)[0] for _ in range(runs)]


def statements(fn: Callable[[], Any]) -> list[str]:
    """The SQL `fn` sends, as sent (parameters interpolated)."""
    with CaptureQueriesContext(connection) as captured:
        fn()
    return [q["sql"] for q in captured.captured_queries]


def sql_ms(sql: str, params: Any = None) -> float:
    with connection.cursor() as cursor:
        started = time.perf_counter()
        cursor.execute(sql, params)
        cursor.fetchall()
        return (time.perf_counter() - started) * 1000


@dataclass
class Result:
    scenario: str
    scale: str
    samples_ms: list[float]
    target: str  # as the issue states it
    met: bool | None  # None: nothing to judge (reported for growth only)
    queries: int | None = None
    baseline: str = ""  # what the baseline is
    baseline_ms: list[float] = field(default_factory=list)
    notes: dict[str, Any] = field(default_factory=dict)

    @property
    def median(self) -> float:
        return statistics.median(self.samples_ms) if self.samples_ms else 0.0

    @property
    def p95(self) -> float:
        return p95(self.samples_ms)

    @property
    def baseline_median(self) -> float | None:
        return statistics.median(self.baseline_ms) if self.baseline_ms else None

    @property
    def ratio(self) -> float | None:
        base = self.baseline_median
        return None if not base else self.median / base

    def as_dict(self) -> dict[str, Any]:
        return {
            "scenario": self.scenario,
            "scale": self.scale,
            "runs": len(self.samples_ms),
            "median_ms": round(self.median, 1),
            "p95_ms": round(self.p95, 1),
            "queries": self.queries,
            "baseline": self.baseline,
            "baseline_median_ms": None
            if self.baseline_median is None
            else round(self.baseline_median, 2),
            "ratio": None if self.ratio is None else round(self.ratio, 2),
            "target": self.target,
            "met": self.met,
            "notes": self.notes,
        }


def raw_ms(sent: list[str]) -> float:
    """`sent` replayed on a plain cursor, rows fetched: the database's share of the work."""
    total = 0.0
    with connection.cursor() as cursor:
        for sql in sent:
            if sql.startswith(("SAVEPOINT", "RELEASE", "ROLLBACK", "BEGIN", "COMMIT", "SET ")):
                continue
            started = time.perf_counter()
            cursor.execute(sql)
            if cursor.description is not None:
                cursor.fetchall()
            total += (time.perf_counter() - started) * 1000
    return total
