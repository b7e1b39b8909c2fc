"""A dealer's draft registration is its own until submitted: vendor staff (admin, the dealer's
own channel manager, sales) neither list it nor open it, in pages, the pipeline or the API; the
dealer does. Submitted, everyone who may see the dealer sees it."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from deal_registration.registrations import registration_submit
from prm.accounts.roles import Role
from tests.conftest import login
from tests.factories import make_user
from tests.prm.integrations.api_helpers import bearer, key_for

from .deals import dealer, register

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(in_a: Any, vendor_admin: Any) -> dict[str, Any]:
    manager = make_user(Role.CHANNEL_MANAGER)
    _partner, partner_admin = dealer(channel_manager=manager)
    return {
        "admin": vendor_admin,
        "manager": manager,
        "sales": make_user(Role.SALES),
        "dealer": partner_admin,
    }


def seen(user: Any, pk: int, number: str) -> dict[str, Any]:
    client = login(Client(HTTP_HOST="alpha.localhost"), user)
    prefix = "/portal/deals/" if user.is_partner_user else "/deals/"
    api = bearer(Client(HTTP_HOST="alpha.localhost"), key_for(user, "deals:read"))
    return {
        "listed": number in client.get(prefix).content.decode(),
        "detail": client.get(f"{prefix}{pk}/").status_code,
        "api list": [d["id"] for d in api.get("/api/v1/deals/").json()["results"]],
        "api detail": api.get(f"/api/v1/deals/{pk}/").status_code,
    }


def test_a_draft_is_the_dealers_alone_until_it_is_submitted(staff: dict[str, Any]) -> None:
    draft = register(staff["dealer"], submit=False, customer_name="草稿里的客户有限公司")
    hidden = {"listed": False, "detail": 404, "api list": [], "api detail": 404}

    assert seen(staff["dealer"], draft.pk, draft.number) == {
        "listed": True,
        "detail": 200,
        "api list": [draft.pk],
        "api detail": 200,
    }
    for role in ("admin", "manager", "sales"):
        assert seen(staff[role], draft.pk, draft.number) == hidden, role

    registration_submit(draft, user=staff["dealer"])

    shown = {"listed": True, "detail": 200, "api list": [draft.pk], "api detail": 200}
    for role in ("admin", "manager", "sales", "dealer"):
        assert seen(staff[role], draft.pk, draft.number) == shown, role
