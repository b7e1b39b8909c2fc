"""One vendor's data out to a file and back in as a new vendor: a plain-SQL `pg_dump` of its
schema plus a JSON sidecar (the public Tenant and Domain rows, which live outside the schema, the
migration state and the row counts the dump holds).

A restore never writes over a schema: it renames the dump's schema to a new one, so a backup can
be checked (or a deleted vendor's data looked at) next to the live vendor. Media files are not
included (docs/backup.md).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.db import DEFAULT_DB_ALIAS, connection, router, transaction
from django_tenants.utils import schema_context, schema_exists
from psycopg import IsolationLevel
from psycopg.sql import SQL as sql_text
from psycopg.sql import Identifier

from prm.core.pgtools import connection_args, pg_tool

from .db import tenant_connection
from .models import Domain, Tenant
from .services import RESERVED_SLUGS, SLUG_RE, schema_name_for

FORMAT = 1
TENANT_FIELDS = ("name", "currency", "time_zone", "default_language")


class RestoreRefused(Exception):
    """The restore would overwrite or collide with something that exists; nothing was written."""


@dataclass(frozen=True)
class BackupFiles:
    sql: Path
    meta: Path


def sidecar_path(sql: Path) -> Path:
    return sql.with_suffix(".json")


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _env() -> dict[str, str]:
    env = dict(os.environ)
    if connection.settings_dict.get("PASSWORD"):
        env["PGPASSWORD"] = connection.settings_dict["PASSWORD"]
    return env


def tenant_backup(schema_name: str, path: Path | str) -> BackupFiles:
    """Dump `schema_name` to `path` (plain SQL) and its sidecar next to it (same name, .json).

    The counts and migrations are read in the very snapshot pg_dump dumps (`--snapshot`), so
    they describe the file even while the vendor keeps working."""
    sql = Path(path)
    with schema_context(settings.PUBLIC_SCHEMA_NAME):
        tenant = Tenant.objects.get(schema_name=schema_name)
        domains = list(
            Domain.objects.filter(tenant=tenant).values("domain", "is_primary").order_by("domain")
        )
    if tenant.is_public:
        raise ValueError("the public schema is not a vendor; back up the whole server instead")
    sql.parent.mkdir(parents=True, exist_ok=True)
    # A session of its own: the caller's may already be inside a transaction, and the snapshot
    # must stay open (and unchanged) until pg_dump has read it.
    raw = connection.get_new_connection(connection.get_connection_params())
    try:
        raw.isolation_level = IsolationLevel.REPEATABLE_READ
        with raw.cursor() as cursor:
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot = cursor.fetchone()[0]
            cursor.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = %s ORDER BY tablename",
                [schema_name],
            )
            tables = [row[0] for row in cursor.fetchall()]
            counts = {}
            for table in tables:
                cursor.execute(
                    sql_text("SELECT count(*) FROM {}.{}").format(
                        Identifier(schema_name), Identifier(table)
                    )
                )
                counts[table] = cursor.fetchone()[0]
            cursor.execute(
                sql_text("SELECT app, name FROM {}.django_migrations ORDER BY id").format(
                    Identifier(schema_name)
                )
            )
            migrations = [list(row) for row in cursor.fetchall()]
            command = [
                pg_tool("pg_dump"), *connection_args(connection.settings_dict),
                f"--schema={schema_name}", "--no-owner", "--no-privileges",
                f"--snapshot={snapshot}", "-f", str(sql),
            ]  # fmt: skip
            done = subprocess.run(command, capture_output=True, text=True, env=_env())
            if done.returncode != 0:
                sql.unlink(missing_ok=True)
                raise RuntimeError(f"pg_dump failed: {done.stderr[-2000:]}")
        raw.rollback()
    finally:
        raw.close()
    meta = {
        "format": FORMAT,
        "schema_name": schema_name,
        "tenant": {field: getattr(tenant, field) for field in TENANT_FIELDS},
        "domains": domains,
        "migrations": migrations,
        "row_counts": counts,
    }
    meta_path = sidecar_path(sql)
    meta_path.write_text(json.dumps(meta, ensure_ascii=False, indent=2) + "\n")
    return BackupFiles(sql=sql, meta=meta_path)


# --- renaming the schema in the dump ---------------------------------------------------------

_COPY_START = re.compile(r"^COPY .* FROM stdin;$")


def _qualifier(schema: str) -> re.Pattern[str]:
    # `schema.` or `"schema".` where an identifier starts: not inside another name
    # (other_schema.x, x.schema.y) nor right after an opening quote of a longer quoted name.
    name = re.escape(schema)
    return re.compile(rf'(?<![\w$."])(?:{name}|"{name}")(?=\.)')


def schema_rename(lines: Any, old: str, new: str) -> Any:
    """Yield the dump's lines with schema `old` renamed to `new` in the SQL only: table data
    (between `COPY … FROM stdin;` and `\\.`) is passed through untouched, whatever it says."""
    qualifier = _qualifier(old)
    create = re.compile(rf'^CREATE SCHEMA (?:{re.escape(old)}|"{re.escape(old)}");$')
    in_copy = False
    for line in lines:
        body = line.rstrip("\n")
        if in_copy:
            if body == "\\.":
                in_copy = False
            yield line
            continue
        if body.startswith("--"):
            yield line
            continue
        if create.match(body):
            yield f"CREATE SCHEMA {new};\n"
            continue
        renamed = qualifier.sub(new, line)
        if _COPY_START.match(body):
            in_copy = True
        yield renamed


# --- restore ----------------------------------------------------------------------------------


def read_sidecar(sql: Path) -> dict[str, Any]:
    meta_path = sidecar_path(sql)
    if not meta_path.exists():
        raise RestoreRefused(f"{meta_path} is missing: it is written next to every backup")
    meta: dict[str, Any] = json.loads(meta_path.read_text())
    if meta.get("format") != FORMAT:
        raise RestoreRefused(f"{meta_path} has format {meta.get('format')!r}, expected {FORMAT}")
    return meta


def _refusal(new_slug: str) -> str | None:
    if not SLUG_RE.match(new_slug) or "--" in new_slug or new_slug in RESERVED_SLUGS:
        return f"'{new_slug}' is not a valid new vendor slug"
    schema = schema_name_for(new_slug)
    domain = f"{new_slug}.{settings.PRM_BASE_DOMAIN}"
    if Tenant.objects.filter(schema_name__iexact=schema).exists():
        return f"a vendor with schema '{schema}' exists: restore under a new slug"
    if schema_exists(schema):
        return f"schema '{schema}' exists: restore under a new slug"
    if Domain.objects.filter(domain__iexact=domain).exists():
        return f"domain '{domain}' is taken: restore under a new slug"
    return None


def _migration_gap(meta: dict[str, Any]) -> tuple[list[str], bool]:
    """(migrations the dump recorded that this code lacks, whether the dump is behind it)."""
    from django.db.migrations.loader import MigrationLoader

    loader = MigrationLoader(None, ignore_no_migrations=True)
    on_disk = set(loader.disk_migrations) | set(loader.replacements)
    recorded = {(app, name) for app, name in meta["migrations"]}
    unknown = sorted(f"{app}.{name}" for app, name in recorded - on_disk)
    wanted = {
        key
        for key in loader.disk_migrations
        if key not in loader.replacements and router.allow_migrate(DEFAULT_DB_ALIAS, key[0])
    }
    return unknown, bool(wanted - recorded)


def _drop_schema(schema: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"DROP SCHEMA IF EXISTS {_quote(schema)} CASCADE")


def tenant_restore(path: Path | str, new_slug: str) -> Tenant:
    """Load the backup at `path` as a new vendor `new_slug` (schema, Tenant row, domain
    `<new_slug>.<base domain>`). Refuses (RestoreRefused) rather than touch anything that
    exists; on any failure the new schema and rows are removed again."""
    sql = Path(path)
    if not sql.exists():
        raise RestoreRefused(f"{sql} does not exist")
    meta = read_sidecar(sql)
    tenant_connection().set_schema_to_public()
    refusal = _refusal(new_slug)
    if refusal:
        raise RestoreRefused(refusal)
    unknown, behind = _migration_gap(meta)
    if unknown:
        raise RestoreRefused(
            f"the backup has migrations this code lacks ({', '.join(unknown[:5])}): "
            "restore with the release it was taken with"
        )
    old, new = meta["schema_name"], schema_name_for(new_slug)
    try:
        with tempfile.TemporaryDirectory(prefix="prm-restore-") as folder:
            renamed = Path(folder) / "restore.sql"
            with sql.open(encoding="utf-8") as src, renamed.open("w", encoding="utf-8") as out:
                out.writelines(schema_rename(src, old, new))
            command = [
                pg_tool("psql"), *connection_args(connection.settings_dict), "-X", "-q",
                "-v", "ON_ERROR_STOP=1", "--single-transaction", "-f", str(renamed),
            ]  # fmt: skip
            done = subprocess.run(command, capture_output=True, text=True, env=_env())
            if done.returncode != 0:
                raise RuntimeError(f"psql failed: {done.stderr[-2000:]}")
        if behind:  # taken before a release this code has: bring the data up to it
            call_command(
                "migrate_schemas", schema_name=new, tenant=True, interactive=False, verbosity=0
            )
            tenant_connection().set_schema_to_public()
        with transaction.atomic():
            tenant = Tenant(schema_name=new, **meta["tenant"])
            tenant.auto_create_schema = False  # psql made it; save() would clone a blank one
            tenant.full_clean()
            tenant.save(verbosity=0)
            Domain.objects.create(
                domain=f"{new_slug}.{settings.PRM_BASE_DOMAIN}", tenant=tenant, is_primary=True
            )
    except BaseException:
        # The refusal above proved the schema new, so dropping it cannot lose anyone's data.
        tenant_connection().set_schema_to_public()
        _drop_schema(new)
        raise
    return tenant
