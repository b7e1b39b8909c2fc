from django.db import connection, transaction


def next_value(key: str) -> int:
    """Return the next value of a named per-tenant sequence (gap-free across committed work)."""
    # One statement: atomic on its own, so no savepoint inside a caller's transaction.
    with transaction.atomic(savepoint=False), connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO core_sequence (key, last_value) VALUES (%s, 1) "
            "ON CONFLICT (key) DO UPDATE SET last_value = core_sequence.last_value + 1 "
            "RETURNING last_value",
            [key],
        )
        row = cursor.fetchone()
    assert row is not None
    return int(row[0])


def next_number(prefix: str, *, width: int = 6) -> str:
    """E.g. SO-2026-000042; the counter restarts each year in the vendor's time zone."""
    from prm.tenancy.selectors import tenant_today

    year = tenant_today().year
    value = next_value(f"{prefix}-{year}")
    return f"{prefix}-{year}-{value:0{width}d}"
