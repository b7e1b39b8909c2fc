"""The read-replica router, with a "replica" alias that is a second connection to the test
database: which queries go where, and that the replica connection reads the vendor's schema.
Routed reads happen outside a transaction only, so they run in threads (tests/concurrency)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connection, connections, router, transaction
from django.test.utils import CaptureQueriesContext, override_settings

from partners.models import Partner
from prm.accounts.models import User
from prm.core.db_router import REPLICA, ReplicaRouter, replica
from reports.models import PartnerMonth, SalesLineMonth
from tests.concurrency import in_thread

pytestmark = pytest.mark.django_db

BASE_DIR = Path(__file__).resolve().parents[3]


@pytest.fixture(scope="module")
def with_replica(django_db_setup: None) -> Iterator[None]:
    """The router installed as settings do it, and a replica alias on the test database. Module
    scoped: the alias must exist before a test names it in `databases`."""
    connections.settings[REPLICA] = {**connections[DEFAULT_DB_ALIAS].settings_dict}
    routers = ["prm.core.db_router.ReplicaRouter", *settings.DATABASE_ROUTERS]
    with override_settings(DATABASE_ROUTERS=routers):
        yield
    connections[REPLICA].close()
    del connections[REPLICA]
    del connections.settings[REPLICA]


with_both = pytest.mark.django_db(databases=[DEFAULT_DB_ALIAS, REPLICA])


def _tables(queries: CaptureQueriesContext) -> list[str]:
    """The rollup and partner tables the captured queries read, in order."""
    tables = ("reports_partnermonth", "reports_saleslinemonth", "partners_partner")
    return [t for query in queries.captured_queries for t in tables if f'"{t}"' in query["sql"]]


def _read_apart(read: Any) -> tuple[list[str], list[str], str]:
    """Run `read`; what went to the replica, what to the primary, and the replica's schema."""
    try:
        with (
            CaptureQueriesContext(connections[REPLICA]) as on_replica,
            CaptureQueriesContext(connections[DEFAULT_DB_ALIAS]) as on_primary,
        ):
            read()
        return _tables(on_replica), _tables(on_primary), connections[REPLICA].schema_name
    finally:
        connections[REPLICA].close()  # threads close only their default connection


@with_both
def test_rollup_reads_go_to_the_replica_in_the_vendors_schema(with_replica):
    def read() -> None:
        list(PartnerMonth.objects.filter(month=date(2024, 1, 1)))
        list(SalesLineMonth.objects.filter(month=date(2024, 1, 1)))
        list(Partner.objects.all()[:1])

    on_replica, on_primary, schema = in_thread("alpha", lambda: _read_apart(read))

    assert on_replica == ["reports_partnermonth", "reports_saleslinemonth"]
    assert on_primary == ["partners_partner"]
    assert schema == "alpha"


@with_both
def test_reads_under_replica_go_there_and_follow_a_switch_of_vendor(with_replica, tenant_b):
    def read() -> list[bool]:
        with replica():
            seen = [User.objects.filter(email="admin@alpha.test").exists()]
            connection.set_tenant(tenant_b)
            seen += [
                User.objects.filter(email="admin@alpha.test").exists(),
                User.objects.filter(email="admin@bravo.test").exists(),
            ]
        return seen

    def run() -> tuple[list[bool], str, int, int]:
        with (
            CaptureQueriesContext(connections[REPLICA]) as on_replica,
            CaptureQueriesContext(connections[DEFAULT_DB_ALIAS]) as on_primary,
        ):
            seen = read()
        schema = connections[REPLICA].schema_name
        connections[REPLICA].close()
        users = sum('"accounts_user"' in q["sql"] for q in on_replica.captured_queries)
        return seen, schema, users, len(on_primary.captured_queries)

    seen, schema, on_replica, on_primary = in_thread("alpha", run)

    assert seen == [True, False, True]  # each vendor's own users, read on the replica
    assert (schema, on_replica, on_primary) == ("bravo", 3, 0)


@with_both
def test_writes_and_reads_in_a_transaction_stay_on_the_primary(with_replica):
    def read() -> None:
        with transaction.atomic():
            list(PartnerMonth.objects.all()[:1])
            with replica():
                list(Partner.objects.all()[:1])

    on_replica, on_primary, _schema = in_thread("alpha", lambda: _read_apart(read))

    assert (on_replica, on_primary) == ([], ["reports_partnermonth", "partners_partner"])
    with replica():
        assert router.db_for_write(PartnerMonth) == DEFAULT_DB_ALIAS
        assert router.db_for_write(Partner) == DEFAULT_DB_ALIAS
        # The test itself runs in a transaction: its reads are not routed.
        assert router.db_for_read(PartnerMonth) == DEFAULT_DB_ALIAS


@with_both
def test_a_row_read_from_the_replica_is_saved_to_the_primary(with_replica):
    routed = ReplicaRouter()
    row, partner = PartnerMonth(month=date(2024, 1, 1)), Partner()
    row._state.db, partner._state.db = REPLICA, DEFAULT_DB_ALIAS

    assert routed.db_for_write(PartnerMonth, instance=row) == DEFAULT_DB_ALIAS
    assert routed.allow_relation(row, partner) is True


def test_without_a_replica_nothing_is_routed():
    routed = ReplicaRouter()

    def read() -> tuple[Any, Any]:
        with replica():
            return routed.db_for_read(PartnerMonth), routed.db_for_write(PartnerMonth)

    # Whether or not another test of this module has added the alias.
    configured = connections.settings.pop(REPLICA, None)
    try:
        assert in_thread("alpha", read) == (None, None)
    finally:
        if configured is not None:
            connections.settings[REPLICA] = configured


def test_the_replica_is_never_migrated():
    routed = ReplicaRouter()

    assert routed.allow_migrate(REPLICA, "reports", model_name="partnermonth") is False
    assert routed.allow_migrate(DEFAULT_DB_ALIAS, "reports", model_name="partnermonth") is None


@pytest.mark.parametrize("replica_url", ["", "postgres://reader:secret@db-replica:5432/prm"])
def test_settings_add_the_replica_only_when_its_url_is_set(replica_url):
    script = (
        "import json; from prm.settings import base as s; "
        "print(json.dumps([sorted(s.DATABASES), s.DATABASE_ROUTERS, "
        "s.DATABASES.get('replica', {}).get('HOST'), s.DATABASES.get('replica', {}).get('TEST')]))"
    )
    env = {
        **os.environ,
        "DATABASE_URL": "postgres://prm:prm@db-primary:5432/prm",
        "REDIS_URL": "redis://127.0.0.1:6379/0",
        "DATABASE_REPLICA_URL": replica_url,
    }
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=BASE_DIR, env=env, capture_output=True, check=True
    )

    aliases, routers, host, test = json.loads(done.stdout)
    tenant_router = "django_tenants.routers.TenantSyncRouter"
    if replica_url:
        assert aliases == ["default", "replica"]
        assert routers == ["prm.core.db_router.ReplicaRouter", tenant_router]
        assert (host, test) == ("db-replica", {"MIRROR": "default"})
    else:
        assert (aliases, routers, host) == (["default"], [tenant_router], None)
