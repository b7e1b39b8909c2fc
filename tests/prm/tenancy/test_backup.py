"""Backup and restore of one vendor: a vendor of its own with committed data (pg_dump and psql
run in their own sessions, so they see only committed rows) is dumped and restored as a second
vendor; both are dropped at the end."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.db.models import Sum
from django.test import Client, RequestFactory

from orders.ledger import ledger_post
from orders.models import Account, AccountKind, EntryKind, LedgerEntry, Order, Product
from partners.models import Partner
from prm.tenancy.backup import RestoreRefused, schema_rename, tenant_backup, tenant_restore
from prm.tenancy.models import Domain, Tenant
from prm.tenancy.services import vendor_create
from tests.factories import make_order, make_partner, make_product
from tests.vendors import vendor_drop

pytestmark = pytest.mark.django_db

SOURCE = "bkpsrc"
COPY = "bkpcopy"
BY_NAME = f"{SOURCE}_restored"  # what `restore_tenant --tenant SOURCE` makes
PASSWORD = "restore-admin-pass"
TRICKY_PARTNER = f"{SOURCE}.example"
# Looks like dump syntax and names the schema: must come back byte for byte.
TRICKY_TEXT = (
    f"COPY {SOURCE}.orders_product FROM stdin;\n\\.\nC:\\temp\\{SOURCE}\t"
    f"nextval('{SOURCE}.x_seq') \"{SOURCE}\".t"
)


@dataclass(frozen=True)
class Restored:
    sql: Path
    source: Tenant
    copy: Tenant


def _fill() -> None:
    tricky = make_partner(name=TRICKY_PARTNER)
    plain = make_partner()
    odd = make_product("123.45", description=TRICKY_TEXT)
    even = make_product("0.10")
    make_order(tricky, (odd, 2), (even, 3))
    make_order(plain, (even, 7))
    ledger_post(
        partner=plain,
        kind=AccountKind.PREPAID,
        amount=Decimal("1000.01"),
        entry_kind=EntryKind.ADJUSTMENT,
        memo=f"{SOURCE}.memo \\N",
    )


@pytest.fixture(scope="module")
def restored(
    django_db_setup: None, django_db_blocker: Any, tmp_path_factory: Any
) -> Iterator[Restored]:
    with django_db_blocker.unblock():
        for schema in (SOURCE, COPY, BY_NAME):  # left by a run killed before its cleanup
            vendor_drop(schema)
        try:
            source = vendor_create(
                slug=SOURCE,
                name="Backup Source Ltd",
                admin_email=f"admin@{SOURCE}.test",
                admin_password=PASSWORD,
                currency="USD",
                time_zone="Europe/Berlin",
                default_language="en",
            ).tenant
            connection.set_tenant(source)
            _fill()
            connection.set_schema_to_public()
            sql = tmp_path_factory.mktemp("backup") / f"{SOURCE}.sql"
            tenant_backup(SOURCE, sql)
            copy = tenant_restore(sql, COPY)
            connection.set_schema_to_public()
            yield Restored(sql=sql, source=source, copy=copy)
        finally:
            # Here, outside any test's transaction: a drop inside one is rolled back with it,
            # while the schemas psql restored are committed.
            for schema in (SOURCE, COPY, BY_NAME):
                vendor_drop(schema)


def _tables(schema: str) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = %s ORDER BY tablename", [schema]
        )
        return [row[0] for row in cursor.fetchall()]


def _counts(schema: str) -> dict[str, int]:
    counts = {}
    with connection.cursor() as cursor:
        for table in _tables(schema):
            cursor.execute(f'SELECT count(*) FROM {schema}."{table}"')
            counts[table] = cursor.fetchone()[0]
    return counts


def _money(tenant: Tenant) -> tuple[Decimal, Decimal, Decimal]:
    connection.set_tenant(tenant)
    try:
        return (
            Order.objects.aggregate(s=Sum("total"))["s"],
            LedgerEntry.objects.aggregate(s=Sum("amount"))["s"],
            Account.objects.aggregate(s=Sum("balance"))["s"],
        )
    finally:
        connection.set_schema_to_public()


def test_every_table_has_the_same_rows(restored: Restored) -> None:
    source, copy = _counts(SOURCE), _counts(COPY)
    assert source == copy
    assert source["orders_order"] == 2
    assert source["partners_partner"] == 2
    assert source["accounts_user"] == 1
    assert json.loads(restored.sql.with_suffix(".json").read_text())["row_counts"] == source


def test_money_is_exact_in_the_copy(restored: Restored) -> None:
    assert _money(restored.source) == _money(restored.copy)
    orders, entries, balances = _money(restored.copy)
    # 2 x 123.45 + 3 x 0.10 and 7 x 0.10 ordered; each order funded by its own top-up first
    assert orders == Decimal("247.90")
    assert entries == Decimal("1000.01")  # the top-ups and payments cancel out
    assert balances == Decimal("1000.01")


def test_text_naming_the_schema_round_trips(restored: Restored) -> None:
    connection.set_tenant(restored.copy)
    assert Partner.objects.filter(name=TRICKY_PARTNER).count() == 1
    assert Product.objects.get(list_price=Decimal("123.45")).description == TRICKY_TEXT
    assert LedgerEntry.objects.filter(memo=f"{SOURCE}.memo \\N").count() == 1


def test_copy_sequences_continue_after_the_restored_rows(restored: Restored) -> None:
    connection.set_tenant(restored.copy)
    highest = Partner.objects.order_by("-pk").values_list("pk", flat=True)[0]
    assert make_partner().pk == highest + 1


def test_copy_keeps_the_vendor_settings(restored: Restored) -> None:
    copy = Tenant.objects.get(schema_name=COPY)
    assert (copy.name, copy.currency, copy.time_zone, copy.default_language) == (
        "Backup Source Ltd",
        "USD",
        "Europe/Berlin",
        "en",
    )
    assert list(Domain.objects.filter(tenant=copy).values_list("domain", "is_primary")) == [
        (f"{COPY}.localhost", True)
    ]
    meta = json.loads(restored.sql.with_suffix(".json").read_text())
    assert meta["domains"] == [{"domain": f"{SOURCE}.localhost", "is_primary": True}]
    connection.set_tenant(copy)
    with connection.cursor() as cursor:
        cursor.execute("SELECT app, name FROM django_migrations ORDER BY id")
        assert [list(row) for row in cursor.fetchall()] == meta["migrations"]
    assert len(meta["migrations"]) > 50


def test_copy_answers_on_its_own_host_and_its_admin_logs_in(restored: Restored) -> None:
    response = Client(HTTP_HOST=f"{COPY}.localhost").get("/accounts/login/")
    assert response.status_code == 200
    connection.set_tenant(restored.copy)
    login = RequestFactory().post("/accounts/login/")  # django-axes needs the request
    user = authenticate(login, username=f"admin@{SOURCE}.test", password=PASSWORD)
    assert user is not None
    assert authenticate(login, username=f"admin@{SOURCE}.test", password="wrong") is None


def _leftovers(slug: str) -> tuple[bool, bool, bool]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_namespace WHERE nspname = %s", [slug])
        schema = cursor.fetchone() is not None
    return (
        schema,
        Tenant.objects.filter(schema_name=slug).exists(),
        Domain.objects.filter(domain=f"{slug}.localhost").exists(),
    )


@pytest.mark.parametrize("slug", [SOURCE, COPY, "alpha", "public"])
def test_restore_over_an_existing_vendor_is_refused(restored: Restored, slug: str) -> None:
    before = (_counts(SOURCE), _counts(COPY), Tenant.objects.count(), Domain.objects.count())
    with pytest.raises(RestoreRefused):
        tenant_restore(restored.sql, slug)
    after = (_counts(SOURCE), _counts(COPY), Tenant.objects.count(), Domain.objects.count())
    assert after == before


def test_restore_over_a_bare_schema_is_refused(restored: Restored) -> None:
    with connection.cursor() as cursor:
        cursor.execute("CREATE SCHEMA bkporphan")  # rolled back with the test
    with pytest.raises(RestoreRefused, match="schema 'bkporphan' exists"):
        tenant_restore(restored.sql, "bkporphan")
    assert _tables("bkporphan") == []
    assert not Tenant.objects.filter(schema_name="bkporphan").exists()


def test_a_failing_restore_leaves_nothing(restored: Restored, tmp_path: Path) -> None:
    broken = tmp_path / "broken.sql"
    broken.write_text(restored.sql.read_text() + "\nSELECT 1 / 0;\n")
    broken.with_suffix(".json").write_text(restored.sql.with_suffix(".json").read_text())
    with pytest.raises(RuntimeError, match="division by zero"):
        tenant_restore(broken, "bkpbroken")
    assert _leftovers("bkpbroken") == (False, False, False)


def test_commands_write_a_dated_backup_and_refuse_a_taken_slug(
    restored: Restored, tmp_path: Path
) -> None:
    out = StringIO()
    call_command("backup_tenant", tenant=SOURCE, out_dir=tmp_path, stdout=out)
    (sql,) = tmp_path.glob(f"{SOURCE}-*Z.sql")
    assert re.fullmatch(rf"{SOURCE}-\d{{8}}T\d{{6}}Z\.sql", sql.name)
    assert json.loads(sql.with_suffix(".json").read_text())["row_counts"] == _counts(SOURCE)
    assert str(sql) in out.getvalue()
    with pytest.raises(CommandError, match=f"schema '{COPY}' exists"):
        call_command("restore_tenant", file=sql, new_slug=COPY)
    with pytest.raises(CommandError, match="no vendor 'nosuch'"):
        call_command("backup_tenant", tenant="nosuch", out_dir=tmp_path)


def test_restore_by_tenant_takes_the_newest_dump_under_the_default_slug(
    restored: Restored, tmp_path: Path
) -> None:
    older = tmp_path / f"{SOURCE}-20000101T000000Z.sql"
    older.write_text("this old file must not be read\n")
    call_command("backup_tenant", tenant=SOURCE, out_dir=tmp_path, stdout=StringIO())
    out = StringIO()
    call_command("restore_tenant", tenant=SOURCE, in_dir=tmp_path, stdout=out)
    assert _counts(BY_NAME) == _counts(SOURCE)
    newest = max(tmp_path.glob(f"{SOURCE}-2*Z.sql"))
    assert newest != older
    assert f"Restored {newest.name} as vendor" in out.getvalue()
    with pytest.raises(CommandError, match="no backup of 'nosuch' in "):
        call_command("restore_tenant", tenant="nosuch", in_dir=tmp_path)
    with pytest.raises(CommandError, match="--as NEWSLUG is required with --file"):
        call_command("restore_tenant", file=older)


def test_schema_rename_touches_sql_only() -> None:
    dump = [
        "CREATE SCHEMA shop;\n",
        "-- Name: t; Type: TABLE; Schema: shop; Owner: -\n",
        "CREATE TABLE shop.t (id bigint DEFAULT nextval('shop.t_id_seq'::regclass));\n",
        'ALTER TABLE ONLY "shop".t ADD CONSTRAINT c FOREIGN KEY (x) REFERENCES shop.u(id);\n',
        "CREATE INDEX i ON shop_other.t USING btree (id); -- xshop.t\n",
        "COPY shop.t (id, note) FROM stdin;\n",
        "1\tshop.t CREATE SCHEMA shop;\n",
        "\\.\n",
        "SELECT pg_catalog.setval('shop.t_id_seq', 1, true);\n",
    ]
    assert list(schema_rename(dump, "shop", "store")) == [
        "CREATE SCHEMA store;\n",
        "-- Name: t; Type: TABLE; Schema: shop; Owner: -\n",
        "CREATE TABLE store.t (id bigint DEFAULT nextval('store.t_id_seq'::regclass));\n",
        "ALTER TABLE ONLY store.t ADD CONSTRAINT c FOREIGN KEY (x) REFERENCES store.u(id);\n",
        "CREATE INDEX i ON shop_other.t USING btree (id); -- xshop.t\n",
        "COPY store.t (id, note) FROM stdin;\n",
        "1\tshop.t CREATE SCHEMA shop;\n",
        "\\.\n",
        "SELECT pg_catalog.setval('store.t_id_seq', 1, true);\n",
    ]
