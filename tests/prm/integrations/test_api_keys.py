"""API keys: scopes, revocation, partner keys, other vendors, rate limits and error bodies."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client

from orders.models import Order
from prm.accounts.roles import Role
from prm.integrations.keys import api_key_revoke
from prm.integrations.models import ApiKey
from tests.conftest import login
from tests.factories import make_order, make_partner, make_product, make_user

from .api_helpers import bearer, key_for

pytestmark = pytest.mark.django_db


def test_the_token_is_kept_only_as_a_digest(in_a: Any, vendor_admin: Any) -> None:
    token = key_for(vendor_admin, "orders:read")
    key = ApiKey.objects.get()
    assert token.startswith(f"prm_{key.prefix}_")
    secret = token.split("_", 2)[2]
    assert secret not in key.key_hash
    assert len(key.key_hash) == 64


def test_a_read_key_reads_but_cannot_write(in_a: Any, client_a: Client, vendor_admin: Any) -> None:
    partner = make_partner(name="读写测试渠道有限公司")
    order = make_order(partner, (make_product(), 1))
    client = bearer(client_a, key_for(vendor_admin, "orders:read"))
    listed = client.get("/api/v1/orders/").json()
    assert [o["number"] for o in listed["results"]] == [order.number]
    refused = client.post(
        f"/api/v1/orders/{order.pk}/cancel/", {"reason": "x"}, content_type="application/json"
    )
    assert refused.status_code == 403
    assert refused.json() == {
        "error": {
            "status": 403,
            "code": "permission_denied",
            "message": "This key lacks the scope orders:write.",
        }
    }
    assert Order.objects.get(pk=order.pk).status == order.status
    # Another resource is closed to this key altogether.
    assert client.get("/api/v1/partners/").status_code == 403


def test_a_revoked_key_or_a_deactivated_user_fails(
    in_a: Any, client_a: Client, vendor_admin: Any
) -> None:
    finance = make_user(Role.FINANCE)
    token = key_for(finance, "payments:read", actor=vendor_admin)
    client = bearer(client_a, token)
    assert client.get("/api/v1/payments/").status_code == 200
    key = ApiKey.objects.get()
    assert key.last_used_at is not None
    api_key_revoke(key=key)
    refused = client.get("/api/v1/payments/")
    assert refused.status_code == 401
    assert refused.json()["error"]["message"] == "This API key is not valid or was revoked."
    other = bearer(Client(HTTP_HOST="alpha.localhost"), key_for(finance, "payments:read"))
    finance.is_active = False
    finance.save(update_fields=["is_active"])
    assert other.get("/api/v1/payments/").status_code == 401


def test_a_malformed_or_unknown_token_and_no_token(in_a: Any, client_a: Client) -> None:
    assert bearer(client_a, "prm_nothing_here").get("/api/v1/orders/").status_code == 401
    client_a.defaults.pop("HTTP_AUTHORIZATION")
    anonymous = client_a.get("/api/v1/orders/")
    assert anonymous.status_code == 401
    assert anonymous.json()["error"]["code"] == "not_authenticated"
    # In the language asked for, whatever the vendor's default (alpha's is Chinese).
    english = client_a.get("/api/v1/orders/", HTTP_ACCEPT_LANGUAGE="en")
    chinese = client_a.get("/api/v1/orders/", HTTP_ACCEPT_LANGUAGE="zh-CN")
    assert english.json()["error"]["message"] == "Authentication credentials were not provided."
    assert chinese.json()["error"]["message"] == "身份认证信息未提供。"


def test_a_partner_key_sees_only_its_partner(
    in_a: Any, client_a: Client, vendor_admin: Any
) -> None:
    mine, theirs = make_partner(name="甲渠道有限公司"), make_partner(name="乙渠道有限公司")
    own_order, other_order = (
        make_order(mine, (make_product(), 1)),
        make_order(theirs, (make_product(), 1)),
    )
    buyer = make_user(Role.PARTNER_ADMIN, partner=mine)
    client = bearer(client_a, key_for(buyer, "orders:read", "partners:read", actor=vendor_admin))
    assert [o["id"] for o in client.get("/api/v1/orders/").json()["results"]] == [own_order.pk]
    assert client.get(f"/api/v1/orders/{other_order.pk}/").status_code == 404
    assert [p["name"] for p in client.get("/api/v1/partners/").json()["results"]] == [
        "甲渠道有限公司"
    ]


def test_a_key_of_one_vendor_is_unknown_at_another(
    in_a: Any, client_b: Client, vendor_admin: Any, tenant_b: Any
) -> None:
    token = key_for(vendor_admin, "orders:read")
    connection.set_tenant(tenant_b)
    refused = bearer(client_b, token).get("/api/v1/orders/")
    assert refused.status_code == 401


def test_each_key_has_its_own_rate_limit(in_a: Any, client_a: Client, vendor_admin: Any) -> None:
    cache.clear()
    slow = bearer(client_a, key_for(vendor_admin, "products:read", rate=3))
    assert [slow.get("/api/v1/products/").status_code for _ in range(4)] == [200, 200, 200, 429]
    limited = slow.get("/api/v1/products/")
    assert limited.json()["error"]["code"] == "throttled"
    fresh = bearer(Client(HTTP_HOST="alpha.localhost"), key_for(vendor_admin, "products:read"))
    assert fresh.get("/api/v1/products/").status_code == 200


def test_unknown_scopes_are_refused(in_a: Any, vendor_admin: Any) -> None:
    from django.core.exceptions import ValidationError
    from django.utils import translation

    with translation.override("en"), pytest.raises(ValidationError) as refused:
        key_for(vendor_admin, "orders:read", "bananas:write")
    assert refused.value.message_dict == {"scopes": ["Unknown scopes: bananas:write."]}
    assert not ApiKey.objects.exists()


def test_the_schema_and_docs_are_for_keys_and_signed_in_people_only(
    in_a: Any, client_a: Client, client_b: Client, tenant_b: Any, vendor_admin: Any
) -> None:
    assert client_a.get("/api/schema/").status_code in (401, 403)
    assert client_a.get("/api/docs/").status_code in (401, 403)
    token = key_for(vendor_admin, "orders:read")
    schema = bearer(Client(HTTP_HOST="alpha.localhost"), token).get("/api/schema/?format=json")
    assert schema.status_code == 200
    assert "/api/v1/orders/" in schema.json()["paths"]
    docs = login(client_a, vendor_admin).get("/api/docs/").content.decode()
    # Swagger UI from the installed sidecar package, never a CDN.
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/" in docs
    assert "cdn." not in docs
    connection.set_tenant(tenant_b)
    assert bearer(client_b, token).get("/api/schema/").status_code == 401
