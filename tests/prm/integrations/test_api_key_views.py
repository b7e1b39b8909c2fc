"""The vendor admin's API key pages: make (token shown once), list with last use, revoke; closed
to everyone else."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test import Client

from prm.accounts.roles import Role
from prm.integrations.keys import api_key_check
from prm.integrations.models import ApiKey
from tests.conftest import login
from tests.factories import make_partner, make_user

from .api_helpers import key_for

pytestmark = pytest.mark.django_db

KEYS = "/integrations/keys/"


def _english(client: Client, user: Any) -> Client:
    user.language = "en"
    user.save(update_fields=["language"])
    return login(client, user)


def test_the_admin_makes_a_key_and_sees_its_token_once(
    in_a: Any, client_a: Client, vendor_admin: Any
) -> None:
    partner = make_partner(name="金蝶对接渠道有限公司")
    buyer = make_user(Role.PARTNER_ADMIN, partner=partner, full_name="周强")
    client = _english(client_a, vendor_admin)
    form = client.get(f"{KEYS}new/").content.decode()
    assert "周强 &lt;" in form
    assert "金蝶对接渠道有限公司" in form
    created = client.post(
        f"{KEYS}new/",
        {
            "name": "Kingdee sync",
            "user": buyer.pk,
            "scopes": ["orders:read", "payments:write"],
            "rate_per_minute": 120,
        },
    )
    body = created.content.decode()
    key = ApiKey.objects.get()
    token = body.split('id="api-token">')[1].split("<")[0]
    assert token.startswith(f"prm_{key.prefix}_")
    assert api_key_check(token) == key
    assert (key.name, key.user, key.scopes, key.rate_per_minute, key.created_by) == (
        "Kingdee sync",
        buyer,
        ["orders:read", "payments:write"],
        120,
        vendor_admin,
    )
    listing = client.get(KEYS).content.decode()
    assert f"prm_{key.prefix}_…" in listing
    assert token not in listing
    assert "Kingdee sync" in listing
    assert "never" not in listing  # the key was checked just now


def test_a_key_needs_a_name_and_scopes(in_a: Any, client_a: Client, vendor_admin: Any) -> None:
    client = _english(client_a, vendor_admin)
    refused = client.post(f"{KEYS}new/", {"name": "", "user": vendor_admin.pk, "scopes": []})
    assert refused.status_code == 200
    assert refused.content.decode().count("This field is required.") == 3
    assert not ApiKey.objects.exists()


def test_revoking_stops_the_key(in_a: Any, client_a: Client, vendor_admin: Any) -> None:
    token = key_for(vendor_admin, "orders:read")
    key = ApiKey.objects.get()
    client = _english(client_a, vendor_admin)
    response = client.post(f"{KEYS}{key.pk}/revoke/", follow=True)
    assert "Key test revoked: it no longer works." in response.content.decode()
    assert api_key_check(token) is None
    assert client.get(f"{KEYS}{key.pk}/revoke/").status_code == 405


def test_closed_to_everyone_but_the_vendor_admin(
    in_a: Any, client_a: Client, client_b: Client, tenant_b: Any, vendor_admin: Any
) -> None:
    key_for(vendor_admin, "orders:read")
    key = ApiKey.objects.get()
    pages = [KEYS, f"{KEYS}new/"]
    finance = make_user(Role.FINANCE)
    client = login(client_a, finance)
    assert [client.get(p).status_code for p in pages] == [403, 403]
    assert client.post(f"{KEYS}{key.pk}/revoke/").status_code == 403
    partner_user = make_user(Role.PARTNER_ADMIN, partner=make_partner())
    client = login(client_a, partner_user)
    assert [client.get(p).status_code for p in pages] == [403, 403]
    client.logout()
    assert all(client_a.get(p)["Location"].startswith("/accounts/login/") for p in pages)
    assert ApiKey.objects.get().revoked_at is None
    connection.set_tenant(tenant_b)
    from prm.accounts.models import User

    other = login(client_b, User.objects.get(email="admin@bravo.test"))
    assert other.post(f"{KEYS}{key.pk}/revoke/").status_code == 404
    assert "prm_" not in other.get(KEYS).content.decode()
