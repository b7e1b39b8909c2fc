"""Reads for reports from a PostgreSQL read replica, when one is configured (docs/scaling.md).

With DATABASE_REPLICA_URL set, settings add a "replica" database alias and put this router
before django-tenants' TenantSyncRouter. Then reads of the reports' rollup tables (the cockpit's
monthly slices) and every read inside a `replica()` block go to the replica. Everything else
stays on the primary: every write, and every read while the primary connection is inside a
transaction, which must see its own writes (a replica is also a moment behind).

django-tenants switches the schema of one connection only (TENANT_DB_ALIAS, "default"): the
tenant middleware, schema_context and tenant-schemas-celery all set that one. So before a read
goes to the replica, the replica connection takes the primary connection's tenant, and its
search_path names the same vendor's schema. No request can read another vendor's rows through
the replica. Migrations never run there (it is a copy of the primary).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections

REPLICA = "replica"
# The reports' rollups: read by every cockpit page, rewritten only by the refresh job.
ROLLUPS = frozenset({("reports", "saleslinemonth"), ("reports", "partnermonth")})

_reading_from_replica: ContextVar[bool] = ContextVar("prm_replica_reads", default=False)


@contextmanager
def replica() -> Iterator[None]:
    """Send the reads inside to the replica, when there is one: for report pages and exports
    that can show data a moment old. Per thread and per asyncio task."""
    token = _reading_from_replica.set(True)
    try:
        yield
    finally:
        _reading_from_replica.reset(token)


def replica_configured() -> bool:
    return REPLICA in connections.settings


def _follow_primary() -> None:
    """The replica connection on the primary's schema (set lazily: the next query sets it)."""
    primary: Any = connections[DEFAULT_DB_ALIAS]
    copy: Any = connections[REPLICA]
    if (copy.schema_name, copy.include_public_schema) != (
        primary.schema_name,
        primary.include_public_schema,
    ):
        copy.set_tenant(primary.tenant, primary.include_public_schema)


class ReplicaRouter:
    def db_for_read(self, model: Any, **hints: Any) -> str | None:
        if not replica_configured():
            return None
        instance = hints.get("instance")
        # Related rows of a row read from the replica: Django would follow the row there.
        from_replica = instance is not None and instance._state.db == REPLICA
        rollup = (model._meta.app_label, model._meta.model_name) in ROLLUPS
        if not (rollup or from_replica or _reading_from_replica.get()):
            return None
        if connections[DEFAULT_DB_ALIAS].in_atomic_block:
            return DEFAULT_DB_ALIAS
        _follow_primary()
        return REPLICA

    def db_for_write(self, model: Any, **hints: Any) -> str | None:
        # Also a row read from the replica is saved to the primary (Django would pick the
        # database the row came from).
        return DEFAULT_DB_ALIAS if replica_configured() else None

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool | None:
        if {obj1._state.db, obj2._state.db} <= {DEFAULT_DB_ALIAS, REPLICA}:
            return True  # the same data
        return None

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool | None:
        return False if db == REPLICA else None
