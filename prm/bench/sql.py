"""Small SQL helpers for bulk loading: literal arrays, local midnights, COPY."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from django.db import connection

from prm.tenancy.selectors import tenant_zone


def run(statement: str, params: Any = None) -> int:
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        return cursor.rowcount


def scalar(statement: str, params: Any = None) -> Any:
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        row = cursor.fetchone()
        return None if row is None else row[0]


def int_array(ids: Iterable[int]) -> str:
    return "ARRAY[" + ",".join(str(int(i)) for i in ids) + "]::bigint[]"


def text_array(values: Iterable[str]) -> str:
    quoted = ",".join("'" + v.replace("'", "''") + "'" for v in values)
    return f"ARRAY[{quoted}]::text[]"


def local_midnight(day: date) -> str:
    """Midnight starting `day` in the vendor's zone, as a timestamptz literal."""
    moment = datetime.combine(day, datetime.min.time(), tzinfo=tenant_zone())
    return f"'{moment.isoformat()}'::timestamptz"


def copy_rows(table: str, columns: str, rows: Iterable[tuple[Any, ...]]) -> int:
    """COPY `rows` into `table`; `columns` as written in SQL ("a, b, c")."""
    n = 0
    with connection.cursor() as cursor, cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)
            n += 1
    return n


def analyze(*tables: str) -> None:
    """Fresh statistics for what was just loaded: the next INSERT … SELECT joins on them."""
    for table in tables:
        run(f"ANALYZE {table}")


def seed_random(seed: int, step: int) -> None:
    """SQL random() reproducible per step, whatever ran before it."""
    run("SELECT setseed(%s)", [((seed * 7919 + step) % 20000) / 10000 - 1])
