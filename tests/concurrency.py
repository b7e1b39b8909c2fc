"""Run work in real, separate database sessions at the same moment.

Each thread gets its own connection (Django's are per thread), so its transaction commits for
real and races the others; the test's own rolled-back transaction is not involved.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any, TypeVar

from django.db import connection

T = TypeVar("T")


def in_thread(schema: str, fn: Callable[[], T]) -> T:
    return run_concurrently(schema, [fn])[0]


def run_concurrently(schema: str, fns: list[Callable[[], Any]], timeout: float = 30) -> list[Any]:
    barrier = threading.Barrier(len(fns))
    results: list[Any] = [None] * len(fns)
    errors: list[BaseException] = []

    def worker(i: int, fn: Callable[[], Any]) -> None:
        from django_tenants.utils import get_tenant_model

        try:
            connection.set_schema_to_public()
            connection.set_tenant(get_tenant_model().objects.get(schema_name=schema))
            barrier.wait(timeout)
            results[i] = fn()
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i, fn)) for i, fn in enumerate(fns)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout)
    if errors:
        raise errors[0]
    return results
