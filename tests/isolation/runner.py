"""Asking one URL as every actor: each request inside a transaction that is rolled back, so what
an allowed POST does never reaches the next request; what a refused request wrote is caught from
PostgreSQL's own row counters for the transaction (pg_stat_xact_user_tables)."""

from __future__ import annotations

import copy
import itertools
import json
import random
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from django.db import connection, transaction
from django.test import Client
from django.urls import reverse

from .actors import ACTORS, Actor
from .cases import Case
from .rules import OK, Expect

URLCONF = {False: "prm.urls_tenant", True: "prm.urls_public"}
TEXT_TYPES = ("text/", "application/json")
# Actors who see P1's rows; the ones who do not must not find them on a page they may open.
SEES_P1 = (Actor.OWNER, Actor.ADMIN)
BLIND_TO_P1 = (Actor.P2, Actor.CM_OTHER, Actor.ALPHA_HOST)

# Each request comes from an address of its own: per-address limits (certificate look-ups,
# applications) must not turn a later request of the run into a 429.
_addresses = itertools.count(random.randrange(1 << 20))


def _address() -> str:
    n = next(_addresses)
    return f"10.{(n >> 16) & 255}.{(n >> 8) & 255}.{n & 255}"


@dataclass(frozen=True)
class Answer:
    actor: Actor
    expected: Expect
    got: str
    problem: str | None


def _writes() -> dict[str, int]:
    """Rows inserted, updated or deleted per table so far in this transaction."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT schemaname || '.' || relname, n_tup_ins + n_tup_upd + n_tup_del "
            "FROM pg_stat_xact_user_tables WHERE n_tup_ins + n_tup_upd + n_tup_del > 0"
        )
        return dict(cursor.fetchall())


@contextmanager
def rolled_back() -> Iterator[None]:
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


def case_path(case: Case, world: Any) -> str:
    if case.url_name.startswith("/"):  # a pattern without a name: its route
        return case.url_name
    kwargs = case.kwargs(world) if case.kwargs else None
    return reverse(case.url_name, kwargs=kwargs, urlconf=URLCONF[case.platform])


def case_url(case: Case, world: Any) -> str:
    """The path, with the entry's query string (percent-encoded, as a browser sends it)."""
    path = case_path(case, world)
    query = quote(case.query.format(**world.ids), safe="=&")
    return f"{path}?{query}" if query else path


def ask(client: Client, case: Case, world: Any, url: str) -> tuple[Any, dict[str, int]]:
    """The response, and for a POST the rows it wrote (measured before the rollback)."""
    cookies = copy.deepcopy(client.cookies)
    extra: dict[str, Any] = {"REMOTE_ADDR": _address(), **case.headers}
    before = after = {}
    try:
        with rolled_back():
            if case.post:
                before = _writes()
                response = client.post(url, case.data(world) if case.data else {}, **extra)
                after = _writes()
            else:
                response = client.get(url, **extra)
    finally:
        # A logout, a new session or a messages cookie must not follow the actor to the next URL.
        client.cookies = cookies
        connection.set_schema_to_public()
    written = {t: n - before.get(t, 0) for t, n in after.items() if n != before.get(t, 0)}
    return response, written


def _body(response: Any) -> str:
    """The text of a page, a CSV or a JSON answer (files and PDFs are not read)."""
    kind = response.get("Content-Type", "")
    if getattr(response, "streaming", False) or not kind.startswith(TEXT_TYPES):
        return ""
    return response.content.decode("utf-8-sig", errors="replace")


def _contains(body: str, text: str) -> bool:
    return text in body or json.dumps(text)[1:-1] in body  # JSON escapes non-ASCII


def run_case(case: Case, world: Any, clients: Any) -> list[Answer]:
    path = case_url(case, world)
    shows = case.shows(world) if case.shows else None
    hides = case.hides(world) if case.hides else []
    answers = []
    for actor in ACTORS:
        expected = case.expect(actor)
        if expected is None:
            continue
        client = clients.client(actor, platform=case.platform)
        try:
            response, written = ask(client, case, world, path)
        except Exception as exc:  # a 500: report it with the others
            answers.append(Answer(actor, expected, "raised", f"raised {exc!r}"[:300]))
            continue
        problem = expected.problem(response, path, world.ids)
        if problem is None and expected.refused and written:
            problem = f"refused but wrote {written}"
        body = _body(response) if (shows or hides) and expected is OK else ""
        if problem is None and (leaked := [text for text in hides if _contains(body, text)]):
            problem = f"shows {leaked}"
        if problem is None and shows and expected is OK:
            if actor in BLIND_TO_P1 and _contains(body, shows):
                problem = f"shows {shows!r} of P1"
            elif actor in SEES_P1 and not _contains(body, shows):
                problem = f"does not show {shows!r} (the check proves nothing)"
        if getattr(response, "streaming", False):
            # Reading it to the end closes the file; response.close() would also close the
            # test's database connection (request_finished), which the client keeps open.
            b"".join(response.streaming_content)
        got = str(response.status_code)
        answers.append(Answer(actor, expected, got, problem))
    return answers


def report(case: Case, path: str, answers: list[Answer]) -> str:
    lines = [f"{case.method.upper()} {path} ({case.rule.label})"]
    for a in answers:
        mark = "  " if a.problem is None else "✗ "
        tail = "" if a.problem is None else f"  got {a.problem}"
        lines.append(f"{mark}{a.actor.value:<13} want {a.expected.label:<8}{tail}")
    return "\n".join(lines)
