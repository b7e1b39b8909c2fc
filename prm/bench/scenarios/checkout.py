"""Checkout of a 20-line order as a dealer places it: pricing, promotions, stock reservation,
rebate + wallet + credit payment, committed. Baseline: the same statements replayed by pgbench
(one client), i.e. the database's share of the work."""

from __future__ import annotations

import contextlib
import random
from decimal import Decimal

from django.db import connection, transaction
from django.db.models import F
from django.test.utils import CaptureQueriesContext

from orders.catalog import products_for_partner
from orders.checkout import CheckoutLine, checkout
from orders.ledger import ledger_post
from orders.models import AccountKind, EntryKind, Stock
from partners.models import Partner
from prm.accounts.models import User

from ..generate import Manifest
from ..measure import Result, p95, timed_ms
from ..pgbench import replay, script
from .common import in_vendor

RUNS = 40
LINES = 20
TARGET_MS = 200.0
TARGET_QUERIES = 40


class Undo(Exception):
    pass


def ready_dealer(email: str) -> tuple[User, Partner, list]:
    """A dealer with money for many orders (wallet and a credit line) and a pool of products
    it may order, each with stock in more than one warehouse."""
    user = User.objects.get(email=email)
    partner = user.partner
    assert partner is not None
    Partner.objects.filter(pk=partner.pk).update(credit_limit=Decimal(500_000_000))
    ledger_post(
        partner=partner, kind=AccountKind.PREPAID, amount=Decimal(3_000_000),
        entry_kind=EntryKind.TOP_UP, memo="bench", reference="bench",
    )  # fmt: skip
    pool = list(
        products_for_partner(partner).filter(pack_size=1, min_order_quantity=1).order_by("pk")[:400]
    )
    # Enough free stock for every run, however often the benchmark ran before on this data.
    Stock.objects.filter(product__in=pool, on_hand__lt=F("reserved") + 500).update(
        on_hand=F("reserved") + 2000
    )
    return user, Partner.objects.get(pk=partner.pk), pool


def order_lines(pool: list, rng: random.Random) -> list[CheckoutLine]:
    return [CheckoutLine(p, rng.randint(1, 3)) for p in rng.sample(pool, LINES)]


def statements_of_checkout(user: User, lines: list[CheckoutLine]) -> list[str]:
    """Every statement one checkout sends, savepoints included, rolled back so that its order
    number stays free (pgbench replays them many times)."""
    assert user.partner is not None
    with (
        CaptureQueriesContext(connection) as captured,
        contextlib.suppress(Undo),
        transaction.atomic(),
    ):
        checkout(partner=user.partner, lines=lines, actor=user)
        raise Undo
    return [q["sql"] for q in captured.captured_queries]


def replayable(every: list[str]) -> list[str]:
    """What pgbench replays: the statements without the savepoints (its script is one
    transaction already)."""
    skipped = ("SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK TO SAVEPOINT")
    return [sql for sql in every if not sql.startswith(skipped)]


def run(manifest: Manifest) -> list[Result]:
    rng = random.Random(7)
    with in_vendor(manifest):
        user, partner, pool = ready_dealer(manifest.dealer_logins[1])

        def place() -> None:
            checkout(partner=partner, lines=order_lines(pool, rng), actor=user)

        place()
        samples = [timed_ms(place)[0] for _ in range(RUNS)]
        # Savepoints count as statements (each is a round trip).
        every = statements_of_checkout(user, order_lines(pool, rng))
        sent = replayable(every)
        baseline = replay([script(sent)], clients=1, transactions=RUNS)
    return [
        Result(
            scenario="checkout, 20 lines (service, committed)",
            scale=manifest.scale,
            samples_ms=samples,
            target=f"p95 ≤ {TARGET_MS:.0f} ms, ≤ {TARGET_QUERIES} queries",
            met=p95(samples) <= TARGET_MS and len(every) <= TARGET_QUERIES,
            queries=len(every),
            baseline="same statements, pgbench, 1 client",
            baseline_ms=baseline.latencies_ms,
        )
    ]
