"""Every operation of the REST API, against every kind of caller (api_table.py).

Refused by every operation alike: no key, a malformed key, the wrong scheme, a revoked key, the
key of a deactivated user, vendor alpha's key at vendor bravo's address, and a signed-in session
without a key (401); a key lacking the operation's scope (403). Then each data caller gets what
api_table.py states: P2's rows are not found by P1's key nor by the channel manager of P1 only,
and lists hold exactly the ids the caller may see. Allowed writes run in a savepoint rolled back
at once, so every caller meets the same rows.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from django.db import connection, transaction
from django.test import Client

from prm.accounts.models import User
from prm.accounts.roles import Role
from prm.integrations.keys import api_key_create, api_key_revoke
from prm.integrations.scopes import ALL_SCOPES, READ, RESOURCES, WRITE, scope
from tests.factories import make_user

from .api_table import CASES, Case
from .conftest import client_at, in_schema, session_cookie
from .world import World, build_world

pytestmark = pytest.mark.django_db

ALPHA, BRAVO = "alpha.localhost", "bravo.localhost"
Response = Any  # the test client's response
NOT_SENT = (401, "not_authenticated")
NOT_VALID = (401, "authentication_failed")


def _token(user: User, scopes: list[str], actor: User) -> str:
    # A budget no matrix run can spend: the throttle is not what is under test here.
    return api_key_create(
        name="isolation", user=user, scopes=scopes, actor=actor, rate_per_minute=100_000
    )[1]


@pytest.fixture(scope="module")
def world(module_transaction: None) -> World:
    in_schema("alpha")
    built = build_world()
    connection.set_schema_to_public()
    return built


@pytest.fixture(scope="module")
def tokens(world: World) -> dict[str, str]:
    """Every key the matrix sends, made once; 'without:<resource>' lacks only that resource,
    'read:<resource>' may read it but not write."""
    in_schema("alpha")
    admin = world.admin
    made = {
        "admin": _token(admin, ALL_SCOPES, admin),
        "cm1": _token(world.p1.manager, ALL_SCOPES, admin),
        "p1": _token(world.p1.user, ALL_SCOPES, admin),
        "p2": _token(world.p2.user, ALL_SCOPES, admin),
    }
    for resource in RESOURCES:
        others = [s for s in ALL_SCOPES if not s.startswith(f"{resource}:")]
        made[f"without:{resource}"] = _token(admin, others, admin)
        made[f"read:{resource}"] = _token(admin, [scope(resource, READ)], admin)
    revoked, made["revoked"] = api_key_create(
        name="isolation", user=admin, scopes=ALL_SCOPES, actor=admin
    )
    api_key_revoke(key=revoked)
    gone = make_user(Role.FINANCE)
    made["deactivated"] = _token(gone, ALL_SCOPES, admin)
    User.objects.filter(pk=gone.pk).update(is_active=False)
    connection.set_schema_to_public()
    return made


@pytest.fixture(scope="module")
def signed_in(world: World) -> Client:
    """Vendor alpha's admin signed in to the pages, sending no key."""
    client = client_at(ALPHA, session=session_cookie(world.admin, "alpha"))
    connection.set_schema_to_public()
    return client


def _call(client: Client, case: Case, path: str, world: World, **headers: str) -> Response:
    headers.setdefault("HTTP_ACCEPT_LANGUAGE", "en")
    if case.method == "GET":
        return client.get(path, **headers)
    body = case.body(world) if case.body else {}
    return client.generic(
        case.method,
        path,
        data=json.dumps(body),
        content_type="application/json",
        **headers,
    )


def _bearer(token: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def _error(response: Response) -> tuple[int, str]:
    return response.status_code, response.json()["error"]["code"]


def _refusal(response: Response) -> tuple[int, str]:
    return response.status_code, response.json()["error"]["message"]


@contextmanager
def _rolled_back() -> Iterator[None]:
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_callers_without_a_valid_key_are_refused(
    case: Case, world: World, tokens: dict[str, str], signed_in: Client
) -> None:
    path = case.path(world)
    alpha, bravo = client_at(ALPHA), client_at(BRAVO)
    got = {
        "no key": _error(_call(alpha, case, path, world)),
        "malformed key": _error(_call(alpha, case, path, world, **_bearer("prm_0000_nope"))),
        "not a key at all": _error(_call(alpha, case, path, world, **_bearer("x"))),
        "wrong scheme": _error(
            _call(alpha, case, path, world, HTTP_AUTHORIZATION=f"Token {tokens['admin']}")
        ),
        "revoked key": _error(_call(alpha, case, path, world, **_bearer(tokens["revoked"]))),
        "deactivated user's key": _error(
            _call(alpha, case, path, world, **_bearer(tokens["deactivated"]))
        ),
        "alpha's key at bravo": _error(_call(bravo, case, path, world, **_bearer(tokens["admin"]))),
        "alpha's session, no key": _error(_call(signed_in, case, path, world)),
    }
    assert got == {
        "no key": NOT_SENT,
        "malformed key": NOT_VALID,
        "not a key at all": NOT_VALID,
        "wrong scheme": NOT_VALID,
        "revoked key": NOT_VALID,
        "deactivated user's key": NOT_VALID,
        "alpha's key at bravo": NOT_VALID,
        "alpha's session, no key": NOT_SENT,
    }


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_a_key_without_the_operations_scope_is_refused(
    case: Case, world: World, tokens: dict[str, str]
) -> None:
    client = client_at(ALPHA)
    path = case.path(world)
    access = READ if case.method == "GET" else WRITE
    wanted = f"This key lacks the scope {scope(case.resource, access)}."
    without = tokens[f"without:{case.resource}"]
    got = {"other resources": _refusal(_call(client, case, path, world, **_bearer(without)))}
    want = {"other resources": (403, wanted)}
    if access == WRITE:
        read_only = tokens[f"read:{case.resource}"]
        got["read only"] = _refusal(_call(client, case, path, world, **_bearer(read_only)))
        want["read only"] = (403, wanted)
    assert got == want


def _as(actor: str, case: Case, world: World, tokens: dict[str, str], path: str) -> Response:
    """One call by `actor`, its writes rolled back at once."""
    client = client_at(ALPHA)
    with _rolled_back():
        if case.prepare:
            in_schema("alpha")
            case.prepare(world)
        return _call(client, case, path, world, **_bearer(tokens[actor]))


def _ids(response: Response, key: str) -> list[int] | None:
    if response.status_code != 200:
        return None
    return sorted(row[key] for row in response.json()["results"])


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_each_key_reaches_exactly_what_its_user_may(
    case: Case, world: World, tokens: dict[str, str]
) -> None:
    path = case.path(world)
    got: dict[str, Any] = {}
    want: dict[str, Any] = {}
    for actor, expect in case.expect.items():
        response = _as(actor, case, world, tokens, path)
        got[actor] = response.status_code
        want[actor] = expect.status
        if expect.ids is not None:
            got[f"{actor} ids"] = _ids(response, case.id_key)
            want[f"{actor} ids"] = expect.ids(world)
        if expect.owner is not None:
            got[f"{actor} owner"] = response.json().get("partner")
            want[f"{actor} owner"] = expect.owner(world)
        if check := CONTENT_CHECKS.get((case.id, actor)):
            got[f"{actor} content"], want[f"{actor} content"] = check(world, response)
    assert got == want


def _check_p1_prices(world: World, response: Response) -> tuple[Any, Any]:
    """P1's key naming P2 gets its own price lists' prices, never P2's (85.00)."""
    rows = response.json()["results"]
    return [(r["sku"], r["unit_price"], r["price_list"]) for r in rows], [
        ("ISO-A", "90.00", world.p1.rows["price-list"])
    ]


def _check_named(world: World, response: Response) -> list[tuple[Any, Any]]:
    body = response.json()
    return [(c["partner"], c["registration"]) for c in body["candidates"]]


def _check_deal_check_p1(world: World, response: Response) -> tuple[Any, Any]:
    """P1 learns that the customer is taken, never by whom nor which registration."""
    body = response.json()
    shown = (body["candidates"], body["own"], world.p2.partner.name in str(body))
    return shown, ([], [], False)


def _check_deal_check_cm1(world: World, response: Response) -> tuple[Any, Any]:
    """CM1 sees that a registration matches, but not P2's nor its registration: not his."""
    return _check_named(world, response), [(None, None)]


def _check_deal_check_admin(world: World, response: Response) -> tuple[Any, Any]:
    return _check_named(world, response), [(world.p2.partner.pk, world.p2.rows["deal"])]


CONTENT_CHECKS: dict[tuple[str, str], Callable[[World, Response], tuple[Any, Any]]] = {
    ("GET price-list", "p1"): _check_p1_prices,
    ("POST deal-check", "p1"): _check_deal_check_p1,
    ("POST deal-check", "cm1"): _check_deal_check_cm1,
    ("POST deal-check", "admin"): _check_deal_check_admin,
}


LISTS = [c for c in CASES if c.method == "GET" and c.expect["p1"].ids is not None]


@pytest.mark.parametrize("case", LISTS, ids=lambda c: c.id)
def test_naming_p2_in_a_filter_finds_none_of_its_rows(
    case: Case, world: World, tokens: dict[str, str]
) -> None:
    """`?partner=<P2>` narrows what the key sees; it never widens it to P2's rows."""
    path = case.path(world)
    named = f"{path}{'&' if '?' in path else '?'}partner={world.p2.partner.pk}"
    for actor in ("p1", "cm1"):
        response = _as(actor, case, world, tokens, named)
        expect = case.expect[actor]
        visible = set(expect.ids(world)) if expect.ids else set()
        found = set(_ids(response, case.id_key) or [])
        assert (response.status_code in (200, 400), found - visible) == (True, set()), actor


def test_an_idempotency_key_replays_only_to_the_key_that_used_it(
    world: World, tokens: dict[str, str]
) -> None:
    """P1 sending the Idempotency-Key P2's system used gets its own order, not P2's answer."""
    body = json.dumps({"lines": [{"sku": "ISO-A", "quantity": 1}]})
    answers = {}
    for actor in ("p2", "p1"):
        answers[actor] = client_at(ALPHA).post(
            "/api/v1/orders/",
            body,
            content_type="application/json",
            HTTP_IDEMPOTENCY_KEY="po-1",
            **_bearer(tokens[actor]),
        )
    got = {
        a: (r.status_code, r.json()["partner"], r.has_header("Idempotent-Replayed"))
        for a, r in answers.items()
    }
    assert got == {
        "p2": (201, world.p2.partner.pk, False),
        "p1": (201, world.p1.partner.pk, False),
    }
    assert answers["p1"].json()["id"] != answers["p2"].json()["id"]


def test_a_keys_request_budget_is_its_vendors_own(world: World) -> None:
    """Alpha's key and bravo's key with the same id spend separate budgets (the throttle's cache
    key carries the schema): one vendor's traffic never locks another's integration out."""
    in_schema("alpha")
    alpha_key, alpha_token = api_key_create(
        name="budget", user=world.admin, scopes=ALL_SCOPES, actor=world.admin, rate_per_minute=1
    )
    in_schema("bravo")
    bravo_admin = User.objects.get(email="admin@bravo.test")
    bravo_key, bravo_token = api_key_create(
        name="budget", user=bravo_admin, scopes=ALL_SCOPES, actor=bravo_admin, rate_per_minute=1
    )
    assert not type(bravo_key).objects.filter(pk=alpha_key.pk).exists()
    type(bravo_key).objects.filter(pk=bravo_key.pk).update(id=alpha_key.pk)
    calls = [(ALPHA, alpha_token)] * 2 + [(BRAVO, bravo_token)] * 2

    codes = [client_at(h).get("/api/v1/products/", **_bearer(t)).status_code for h, t in calls]

    assert codes == [200, 429, 200, 429]
