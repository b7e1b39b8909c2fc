"""Sustained checkout throughput: 8 dealers posting 20-line orders at once to the app served by
gunicorn on loopback (the REST API, wallet + credit, stock reserved), with one scarce SKU in
every fifth order so that stock runs out mid-run. Afterwards: no stock row reserved beyond what
is on hand, and the scarce SKU's allocations add up to exactly what was reserved. Baseline: the
same checkout statements replayed by pgbench with 8 clients."""

from __future__ import annotations

import contextlib
import os
import random
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

from django.db.models import F

from orders.models import Allocation, Product, Stock
from prm.accounts.models import User
from prm.integrations.keys import api_key_create

from ..generate import Manifest
from ..load import drive
from ..measure import Result
from ..pgbench import replay, script
from .checkout import order_lines, ready_dealer, replayable, statements_of_checkout
from .common import host, in_vendor

CLIENTS = 8
SECONDS = 20
# gunicorn sync workers on 2 cores: one waits on PostgreSQL while another runs.
WORKERS = int(os.environ.get("PRM_BENCH_WORKERS", "4"))
TARGET_PER_S = 40.0
SCARCE_UNITS = 30  # per warehouse


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def served(port: int) -> Iterator[subprocess.Popen]:
    gunicorn = str(Path(sys.executable).parent / "gunicorn")
    command = [gunicorn, "prm.wsgi:application", "--bind", f"127.0.0.1:{port}", "--workers",
               str(WORKERS), "--no-control-socket", "--log-level", "warning"]  # fmt: skip
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": os.environ["DJANGO_SETTINGS_MODULE"]}
    server = subprocess.Popen(command, env=env, start_new_session=True)
    try:
        for _ in range(300):
            with contextlib.suppress(OSError):
                urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1)
                break
            time.sleep(0.1)
        yield server
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)


def _scarce_product(pools: list[list]) -> tuple[Product, int]:
    """A product every client may order, with only SCARCE_UNITS free in each warehouse; and the
    last allocation before the run, to count what the run reserved."""
    common = set.intersection(*({p.pk for p in pool} for pool in pools))
    product = next(p for p in pools[0] if p.pk in common)
    Stock.objects.filter(product=product).update(on_hand=F("reserved") + SCARCE_UNITS)
    last = Allocation.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    return product, last


def run(manifest: Manifest) -> list[Result]:
    with in_vendor(manifest):
        admin = User.objects.get(email=manifest.admin_email)
        dealers = [ready_dealer(email) for email in manifest.dealer_logins[2 : 2 + CLIENTS]]
        scarce, before = _scarce_product([pool for _u, _p, pool in dealers])
        clients: list[tuple[str, Callable[[int], dict]]] = []
        scripts = []
        for i, (user, _partner, pool) in enumerate(dealers):
            _key, token = api_key_create(
                name=f"bench load {i}", user=user, scopes=["orders:write"], actor=admin,
                rate_per_minute=1_000_000,
            )  # fmt: skip
            rng = random.Random(100 + i)
            others = [p for p in pool if p.pk != scarce.pk]

            def body(n: int, rng: random.Random = rng, others: list = others) -> dict:
                lines = [{"sku": p.sku, "quantity": rng.randint(1, 2)}
                         for p in rng.sample(others, 19)]  # fmt: skip
                if n % 5 == 0:
                    lines.append({"sku": scarce.sku, "quantity": 1})
                else:
                    lines.append({"sku": rng.choice(others).sku, "quantity": 1})
                return {"lines": _unique(lines)}

            clients.append((token, body))
        port = _free_port()
        with served(port):
            drive(port, host(manifest), clients, 2)  # warm every worker
            load = drive(port, host(manifest), clients, SECONDS)
        # Captured after the load, so their order numbers are still free (each is rolled back).
        for user, _partner, pool in dealers:
            rng = random.Random(user.pk)
            others = [p for p in pool if p.pk != scarce.pk]
            every = statements_of_checkout(user, order_lines(others, rng))
            scripts.append(script(replayable(every)))
        baseline = replay(scripts, clients=CLIENTS, seconds=10)
        oversold = Stock.objects.raw(
            "SELECT id FROM orders_stock WHERE reserved > on_hand OR reserved < 0"
        )
        oversold_rows = len(list(oversold))
        scarce_rows = Stock.objects.filter(product=scarce)
        # Every unit held is accounted for by an allocation, and the run took no more than free.
        held_units = sum(s.reserved for s in scarce_rows)
        open_units = sum(
            a.quantity - a.shipped - a.released
            for a in Allocation.objects.filter(stock__product=scarce)
        )
        taken = sum(
            a.quantity for a in Allocation.objects.filter(stock__product=scarce, pk__gt=before)
        )
        free = SCARCE_UNITS * scarce_rows.count()
    per_s = load.rate(201)
    held = held_units == open_units and taken <= free and oversold_rows == 0
    return [
        Result(
            scenario=f"checkout throughput, {CLIENTS} clients (gunicorn, REST API)",
            scale=manifest.scale,
            samples_ms=load.latencies_ms,
            target=f"≥ {TARGET_PER_S:.0f} orders/s, zero oversell",
            met=per_s >= TARGET_PER_S and held,
            baseline=f"same statements, pgbench, {CLIENTS} clients",
            baseline_ms=baseline.latencies_ms,
            notes={
                "orders/s": round(per_s, 1),
                "pgbench transactions/s": round(baseline.tps, 1),
                "answers": dict(load.statuses),
                "scarce SKU units taken / free at start": f"{taken} / {free}",
                "scarce SKU reserved = open allocations": held_units == open_units,
                "stock rows over-reserved": oversold_rows,
                "client errors": len(load.errors),
                "gunicorn workers": WORKERS,
                "seconds": round(load.seconds, 1),
            },
        )
    ]


def _unique(lines: list[dict]) -> list[dict]:
    seen: dict[str, dict] = {}
    for line in lines:
        seen.setdefault(line["sku"], line)
    return list(seen.values())
