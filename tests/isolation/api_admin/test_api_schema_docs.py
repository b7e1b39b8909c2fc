"""The OpenAPI schema and its Swagger UI page, on each vendor's host.

Decision: they are not public. They hold no vendor data (the same document on every host,
checked here), but an address that answers anyone tells a scanner which product and version a
vendor runs; the people who need the reference have a key or a session of that vendor. Either
opens it, and nothing of another vendor (key or session) does. The platform host serves no API.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test import Client

from prm.accounts.models import User
from prm.accounts.roles import Role
from prm.integrations.scopes import ALL_SCOPES
from tests.factories import make_partner, make_user
from tests.prm.integrations.api_helpers import key_for

from .conftest import client_at, in_schema, session_cookie
from .routes import PUBLIC_URLS, routes_under

pytestmark = pytest.mark.django_db

ALPHA, BRAVO = "alpha.localhost", "bravo.localhost"
PAGES = ["/api/schema/", "/api/docs/", "/api/docs/?script="]


def _get(host: str, path: str, *, token: str = "", session: str = "") -> Any:
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
    return client_at(host, session=session).get(path, **headers)


@pytest.fixture
def callers(db: None) -> dict[str, Any]:
    in_schema("alpha")
    admin = User.objects.get(email="admin@alpha.test")
    dealer = make_user(Role.PARTNER_USER, partner=make_partner(name="文档读者有限公司"))
    made = {
        "admin": session_cookie(admin, "alpha"),
        "dealer": session_cookie(dealer, "alpha"),
        "token": key_for(admin, *ALL_SCOPES),
    }
    in_schema("bravo")
    made["bravo token"] = key_for(User.objects.get(email="admin@bravo.test"), "partners:read")
    connection.set_schema_to_public()
    return made


def _statuses(callers: dict[str, Any], path: str) -> dict[str, int]:
    return {
        "nobody": _get(ALPHA, path).status_code,
        "a malformed key": _get(ALPHA, path, token="prm_0_x").status_code,
        "alpha's key at bravo": _get(BRAVO, path, token=callers["token"]).status_code,
        "alpha's admin session at bravo": _get(BRAVO, path, session=callers["admin"]).status_code,
        "alpha's key": _get(ALPHA, path, token=callers["token"]).status_code,
        "alpha's admin session": _get(ALPHA, path, session=callers["admin"]).status_code,
        "alpha's dealer session": _get(ALPHA, path, session=callers["dealer"]).status_code,
        "bravo's key, any scope": _get(BRAVO, path, token=callers["bravo token"]).status_code,
    }


@pytest.mark.parametrize("path", PAGES)
def test_only_this_vendors_keys_and_sessions_open_the_reference(
    path: str, callers: dict[str, Any]
) -> None:
    assert _statuses(callers, path) == {
        "nobody": 401,
        "a malformed key": 401,
        "alpha's key at bravo": 401,
        "alpha's admin session at bravo": 401,
        "alpha's key": 200,
        "alpha's admin session": 200,
        "alpha's dealer session": 200,
        "bravo's key, any scope": 200,
    }


def test_the_schema_is_one_document_holding_no_vendors_data(callers: dict[str, Any]) -> None:
    alpha = _get(ALPHA, "/api/schema/", token=callers["token"]).content.decode()
    bravo = _get(BRAVO, "/api/schema/", token=callers["bravo token"]).content.decode()
    assert alpha == bravo
    named = ["alpha", "bravo", "Alpha Electronics", "文档读者有限公司", "admin@"]
    assert [word for word in named if word in alpha] == []


def test_the_platform_host_serves_no_api(db: None) -> None:
    assert routes_under("api/", PUBLIC_URLS) == []
    answers = [Client(HTTP_HOST="localhost").get(p).status_code for p in PAGES[:2]]
    assert answers == [404, 404]
