"""Real `celery -A prm worker` processes for tests, against this run's test database.

A worker runs the test settings in a process (group) of its own, on a queue the test names, so
no other worker on the same Redis takes its tasks and it takes nothing else. The data a worker
reads must be committed (it has its own database sessions). `stop()` ends the whole process
group, also after the test killed the worker's main process and left its pool children behind.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import psutil
import redis
from django.conf import settings
from django.db import connection

from prm.celery import app as celery_app

BASE_DIR = Path(__file__).resolve().parents[1]


def test_database_url() -> str:
    """DATABASE_URL pointed at this run's test database (the settings name the dev one)."""
    database = urlsplit(settings.DATABASE_URL)._replace(path=f"/{connection.settings_dict['NAME']}")
    return urlunsplit(database)


def worker_env(**overrides: str) -> dict[str, str]:
    """The test settings, pointed at this run's test database and Redis (`overrides` win)."""
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "prm.settings.test",
        "PRM_TEST_DB": settings.DATABASES["default"]["TEST"]["NAME"],
        "DATABASE_URL": test_database_url(),
        "REDIS_URL": settings.REDIS_URL,
        **overrides,
    }


class Worker:
    """`celery -A prm worker` on `queue`: one process with `pool="solo"`, else a main process
    and `concurrency` pool children (`prefork`), which is what acks_late and
    reject_on_worker_lost act on when a child dies."""

    def __init__(
        self,
        name: str,
        *,
        queue: str,
        pool: str = "solo",
        concurrency: int = 1,
        env: dict[str, str] | None = None,
    ) -> None:
        self.node = f"{name}@{socket.gethostname()}"
        self.log = tempfile.NamedTemporaryFile(prefix=f"worker-{name}-", suffix=".log")  # noqa: SIM115
        command = [sys.executable, "-m", "celery", "-A", "prm", "worker", f"--pool={pool}"]
        if pool != "solo":
            command.append(f"--concurrency={concurrency}")
        command += ["-n", self.node, "-Q", queue, "--without-gossip", "--without-mingle"]
        self.process = subprocess.Popen(
            [*command, "--loglevel=WARNING"],
            cwd=BASE_DIR,
            env=env or worker_env(),
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: stop() reaches orphaned children
        )

    def wait_ready(self, timeout: float = 90, control: Any = None) -> None:
        """Until the worker answers a ping through `control` (a Celery app on its broker)."""
        control = control or celery_app
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                break
            if control.control.ping(destination=[self.node], timeout=0.5):
                return
        self.stop()
        raise AssertionError(f"worker {self.node} did not start:\n{self.output()}")

    def output(self) -> str:
        return Path(self.log.name).read_text(errors="replace")

    def children(self) -> list[int]:
        """The pool processes' pids (none with the solo pool)."""
        try:
            return [child.pid for child in psutil.Process(self.process.pid).children()]
        except psutil.NoSuchProcess:
            return []

    def kill(self) -> None:
        """SIGKILL the main process and its pool at once, as a machine or container that dies:
        nothing acknowledges or rejects what they held."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()

    def stop(self) -> None:
        group_stop(self.process)  # warm shutdown: the task at hand finishes first
        self.log.close()


def group_stop(process: subprocess.Popen[bytes], grace: float = 30) -> None:
    """SIGTERM `process` (started with start_new_session) and wait up to `grace` seconds, then
    SIGKILL what is left of its process group: children a killed parent left behind too."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(grace)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)


def queue_forget(queue: str, url: str | None = None) -> None:
    """Remove what a test's queue left in Redis: waiting messages, bindings, and messages a
    killed worker took and never acknowledged (kombu keeps those in `unacked` and would put
    them back on the queue after the visibility timeout)."""
    client = redis.Redis.from_url(url or settings.REDIS_URL)
    try:
        for tag, raw in client.hgetall("unacked").items():
            _message, exchange, routing_key = json.loads(raw)
            if queue in (exchange, routing_key):
                client.pipeline().zrem("unacked_index", tag).hdel("unacked", tag).execute()
        bindings = [f"_kombu.binding.{queue}", f"_kombu.binding_permanent.{queue}"]
        keys = [*client.scan_iter(match=f"{queue}*"), *bindings]
        client.delete(*keys)
    finally:
        client.close()
