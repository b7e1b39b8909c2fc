"""PostgreSQL restarted (`pg_ctl restart -m fast`) under the running app.

The test starts a PostgreSQL server of its own (the session's is never touched), copies into it
the platform and the vendor template from this run's test database (what `bootstrap` builds,
without replaying every migration), and provisions a vendor with a shop there, as production
does, from the template. The app runs under gunicorn (two sync workers, persistent connections
as in production) against it, with a Redis of its own.

- Idle: every worker holds a connection when the server restarts; the next requests all answer
  200, because each request checks the connection it reuses (CONN_HEALTH_CHECKS).
- Under load: a dealer keeps ordering and another keeps reading his order list while the server
  restarts. Requests cut by the restart fail; every request started after the server is back
  answers, within seconds and with no manual step, and every order the dealer was told was
  placed is in the database.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import requests
from django.db import connection

from prm.core.pgtools import connection_args, pg_tool
from tests.workers import BASE_DIR, worker_env

from .servers import Browser, Gunicorn, PostgresServer, RedisServer
from .vendors import PASSWORD, Shop

pytestmark = pytest.mark.django_db

SLUG = "faultspg"
DATABASE = "prm"


@pytest.fixture(scope="module")
def postgres() -> Iterator[PostgresServer]:
    server = PostgresServer()
    try:
        yield server.init()
    finally:
        server.close()


@pytest.fixture(scope="module")
def env(
    postgres: PostgresServer,
    redis_server: RedisServer,
    django_db_setup: None,
    django_db_blocker: Any,
) -> dict[str, str]:
    """The test settings on the test's own servers, whose database holds a copy of this run's
    platform schema (public) and vendor template."""
    postgres.psql(
        "postgres",
        f"CREATE DATABASE {DATABASE} TEMPLATE template0 ENCODING 'UTF8'"
        " LC_COLLATE 'C.UTF-8' LC_CTYPE 'C.UTF-8'",
    )
    postgres.psql(DATABASE, "DROP SCHEMA public")  # the dump creates it
    with django_db_blocker.unblock():
        source = connection_args(connection.settings_dict)
    copy = [
        "--no-owner",
        "--no-privileges",
        "-n",
        "public",
        "-n",
        "vendor_template",
        "-e",
        "pg_trgm",
    ]
    dump = subprocess.Popen([pg_tool("pg_dump"), *source, *copy], stdout=subprocess.PIPE)
    target = ["-h", str(postgres.sockets), "-U", "postgres", "-d", DATABASE]
    subprocess.run(
        [pg_tool("psql"), *target, "-X", "-q", "-v", "ON_ERROR_STOP=1"],
        stdin=dump.stdout,
        stdout=subprocess.DEVNULL,
        check=True,
        timeout=120,
    )
    assert dump.wait(60) == 0
    return worker_env(
        DATABASE_URL=postgres.url(DATABASE), REDIS_URL=redis_server.url(), PRM_TEST_REDIS_DB="0"
    )


@pytest.fixture(scope="module")
def shop(env: dict[str, str]) -> Shop:
    built = subprocess.run(
        [sys.executable, "-m", "tests.faults.vendors", SLUG],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=180,
    )
    return Shop(**json.loads(built.stdout.strip().splitlines()[-1]))


@pytest.fixture(scope="module")
def web(env: dict[str, str], shop: Shop) -> Iterator[Gunicorn]:
    server = Gunicorn(env, workers=2)
    try:
        yield server.wait_ready()
    finally:
        server.stop()


@dataclass(frozen=True)
class Outcome:
    started: float
    finished: float
    answer: int | str  # the status code, or the exception's name
    order: int | None = None  # the order the dealer was shown as placed

    @property
    def ok(self) -> bool:
        return self.answer in (200, 302)


class Load:
    """`steps` run over and over, each in a thread of its own, until `stop()`."""

    def __init__(self, steps: dict[str, Callable[[], Outcome]]) -> None:
        self.outcomes: dict[str, list[Outcome]] = {name: [] for name in steps}
        self._stop = threading.Event()
        self._threads = [
            threading.Thread(target=self._loop, args=(name, step)) for name, step in steps.items()
        ]
        for thread in self._threads:
            thread.start()

    def _loop(self, name: str, step: Callable[[], Outcome]) -> None:
        while not self._stop.is_set():
            self.outcomes[name].append(step())

    def stop(self) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(60)


def send(call: Callable[[], requests.Response]) -> requests.Response | str:
    """The response, or the name of the error that stood for it."""
    try:
        return call()
    except requests.RequestException as exc:
        return type(exc).__name__


def order_once(buyer: Browser, product: int) -> Outcome:
    """Add one to the cart and check out: the order the dealer is shown as placed, if any."""
    started = time.monotonic()
    added = send(
        lambda: buyer.post("/portal/orders/cart/add/", {"product": product, "quantity": 1})
    )
    if isinstance(added, str) or added.status_code != 302:
        answer = added if isinstance(added, str) else added.status_code
        return Outcome(started, time.monotonic(), answer)
    placed = send(
        lambda: buyer.post("/portal/orders/checkout/", {"use_prepaid": "on", "ship_to": "上海"})
    )
    if isinstance(placed, str):
        return Outcome(started, time.monotonic(), placed)
    shown = re.fullmatch(r"/portal/orders/(\d+)/", placed.headers.get("Location", ""))
    order = int(shown.group(1)) if shown else None
    return Outcome(started, time.monotonic(), placed.status_code, order)


def read_once(reader: Browser) -> Outcome:
    started = time.monotonic()
    answer = send(lambda: reader.get("/portal/orders/"))
    return Outcome(
        started, time.monotonic(), answer if isinstance(answer, str) else answer.status_code
    )


def orders_in(postgres: PostgresServer) -> set[int]:
    listed = postgres.psql(DATABASE, f"SELECT id FROM {SLUG}.orders_order")
    return {int(pk) for pk in listed.split()}


def signed_in(web: Gunicorn, shop: Shop) -> Browser:
    browser = Browser(web.base, shop.host)
    assert browser.login(shop.buyer, PASSWORD).status_code == 302
    return browser


def test_idle_connections_reconnect_after_a_restart(postgres, web, shop):
    reader = signed_in(web, shop)
    assert [read_once(reader).answer for _n in range(8)] == [200] * 8  # both workers connected

    postgres.restart()

    assert [read_once(reader).answer for _n in range(8)] == [200] * 8


def test_under_load_the_app_answers_again_and_keeps_every_placed_order(postgres, web, shop):
    buyer, reader = signed_in(web, shop), signed_in(web, shop)
    load = Load(
        {"buyer": lambda: order_once(buyer, shop.product), "reader": lambda: read_once(reader)}
    )
    try:
        time.sleep(3)
        restarting = time.monotonic()
        postgres.restart()
        back = time.monotonic()
        time.sleep(5)
    finally:
        load.stop()

    every = load.outcomes["buyer"] + load.outcomes["reader"]
    before = [o for o in every if o.finished < restarting]
    after = [o for o in every if o.started > back]
    assert len(before) >= 4
    assert [o for o in before if not o.ok] == []
    assert back - restarting < 15
    # Every request sent once the server is back is answered, the first within seconds.
    assert len(after) >= 6
    assert [o for o in after if not o.ok] == []
    assert min(o.finished for o in after) - back < 5
    placed = [o for o in load.outcomes["buyer"] if o.order is not None]
    stored = orders_in(postgres)
    assert {o.order for o in placed} <= stored  # no order the dealer saw placed was lost
    assert len(stored) <= len(load.outcomes["buyer"])  # none that was not tried
    assert any(o.started > back for o in placed)  # ordering went on after the restart
