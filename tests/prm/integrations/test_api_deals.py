"""Deal registrations through the API: a partner's key registers (once per Idempotency-Key) and
asks the duplicate check, which stores nothing and names no one to a partner; vendor keys decide
through the vendor's services; every key sees what its user sees."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from deal_registration.models import DealRegistration, DealStatus
from partners.models import Partner
from prm.accounts.models import User
from prm.accounts.roles import Role
from prm.tenancy.selectors import tenant_today
from tests.deal_registration.deals import dealer, network_line, register, shenzhen
from tests.factories import make_credit_code, make_user

from .api_helpers import bearer, key_for

pytestmark = pytest.mark.django_db

TENGFEI = "深圳市腾飞科技有限公司"


@dataclass
class World:
    mine: Partner
    dealer: User
    theirs: Partner
    stranger: User
    manager: User  # channel manager of `mine`
    other_manager: User  # channel manager of `theirs`


@pytest.fixture
def world(in_a: Any) -> World:
    shenzhen(), network_line()  # the customer's region and the product line, by code
    mine, user = dealer(name="华南网络集成有限公司")
    theirs, stranger = dealer(name="鹏城信息技术有限公司")
    manager, other_manager = make_user(Role.CHANNEL_MANAGER), make_user(Role.CHANNEL_MANAGER)
    Partner.objects.filter(pk=mine.pk).update(channel_manager=manager)
    Partner.objects.filter(pk=theirs.pk).update(channel_manager=other_manager)
    return World(mine, user, theirs, stranger, manager, other_manager)


def _body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "customer_name": TENGFEI,
        "credit_code": make_credit_code(4401, region="440300"),
        "region": "440300",
        "industry": "manufacturing",
        "contact_name": "王经理",
        "contact_phone": "13800138000",
        "title": "园区网络升级",
        "product_line": "network",
        "estimated_amount": "120000.00",
        "expected_close_date": (tenant_today() + timedelta(days=60)).isoformat(),
        "stage": "proposal",
    }
    body.update(overrides)
    return body


def _post(client: Client, url: str, body: dict, **headers: str) -> Any:
    return client.post(url, body, content_type="application/json", **headers)


def _partner_client(client: Client, world: World, *scopes: str, user: Any = None) -> Client:
    return bearer(client, key_for(user or world.dealer, *scopes, actor=world.manager))


def test_a_partner_key_registers_once_per_idempotency_key(world: World, client_a: Client) -> None:
    client = _partner_client(client_a, world, "deals:write")
    first = _post(client, "/api/v1/deals/", _body(), HTTP_IDEMPOTENCY_KEY="crm-opp-7781")
    again = _post(client, "/api/v1/deals/", _body(), HTTP_IDEMPOTENCY_KEY="crm-opp-7781")
    assert first.status_code == again.status_code == 201
    assert again["Idempotent-Replayed"] == "true"
    assert first.json() == again.json()
    body = first.json()
    registration = DealRegistration.objects.get(customer_name=TENGFEI)
    assert body["id"] == registration.pk
    assert (body["number"], body["partner"], body["status"]) == (
        registration.number,
        world.mine.pk,
        "submitted",
    )
    assert (
        body["region"],
        body["product_line"],
        body["products"],
        body["estimated_amount"],
        body["stage"],
        body["holds_claim"],
        body["has_conflict"],
        body["protection_ends"],
    ) == ("440300", "network", [], "120000.00", "proposal", True, False, None)
    assert DealRegistration.objects.filter(partner=world.mine).count() == 1


def test_a_draft_is_submitted_later_and_a_refusal_keeps_nothing(
    world: World, client_a: Client
) -> None:
    client = _partner_client(client_a, world, "deals:write")
    past = (tenant_today() - timedelta(days=1)).isoformat()
    refused = _post(client, "/api/v1/deals/", _body(expected_close_date=past))
    assert refused.status_code == 400
    assert refused.json()["error"]["fields"] == {
        "expected_close_date": ["The expected close date cannot be in the past."]
    }
    unknown = _post(client, "/api/v1/deals/", _body(product_line="nope"))
    assert unknown.json()["error"]["fields"] == {
        "product_line": ["Object with code=nope does not exist."]
    }
    assert not DealRegistration.objects.filter(customer_name=TENGFEI).exists()
    draft = _post(client, "/api/v1/deals/", _body(submit=False)).json()
    assert (draft["status"], draft["submitted_at"]) == ("draft", None)
    submitted = _post(client, f"/api/v1/deals/{draft['id']}/submit/", {})
    assert submitted.status_code == 200
    assert (submitted.json()["status"], submitted.json()["holds_claim"]) == ("submitted", True)
    twice = _post(client, f"/api/v1/deals/{draft['id']}/submit/", {})
    assert twice.json()["error"]["message"] == "This registration was already submitted."


def test_vendor_keys_do_not_register_and_read_keys_do_not_write(
    world: World, client_a: Client, vendor_admin: Any
) -> None:
    vendor = bearer(client_a, key_for(vendor_admin, "deals:write"))
    assert _post(vendor, "/api/v1/deals/", _body()).status_code == 403
    reader = _partner_client(Client(HTTP_HOST="alpha.localhost"), world, "deals:read")
    refused = _post(reader, "/api/v1/deals/", _body())
    assert refused.status_code == 403
    assert refused.json()["error"]["message"] == "This key lacks the scope deals:write."
    assert _post(reader, "/api/v1/deals/check/", {"customer_name": TENGFEI}).status_code == 403
    assert not DealRegistration.objects.filter(customer_name=TENGFEI).exists()


def test_each_key_sees_its_users_registrations(
    world: World, client_a: Client, vendor_admin: Any
) -> None:
    own = register(world.dealer, customer_name="东莞精工模具有限公司")
    other = register(world.stranger, customer_name="佛山美居家具有限公司")
    client = _partner_client(client_a, world, "deals:read")
    assert [d["id"] for d in client.get("/api/v1/deals/").json()["results"]] == [own.pk]
    assert client.get(f"/api/v1/deals/{other.pk}/").status_code == 404
    manager = bearer(
        Client(HTTP_HOST="alpha.localhost"),
        key_for(world.other_manager, "deals:read", actor=vendor_admin),
    )
    assert [d["number"] for d in manager.get("/api/v1/deals/").json()["results"]] == [other.number]
    assert manager.get(f"/api/v1/deals/{own.pk}/").status_code == 404
    admin = bearer(Client(HTTP_HOST="alpha.localhost"), key_for(vendor_admin, "deals:read"))
    listed = admin.get("/api/v1/deals/?q=佛山").json()["results"]
    assert [d["customer_name"] for d in listed] == ["佛山美居家具有限公司"]


def test_the_check_shows_a_partner_what_the_portal_shows_and_stores_nothing(
    world: World, client_a: Client
) -> None:
    code = make_credit_code(4402, region="440300")
    register(world.stranger, customer_name=TENGFEI, credit_code=code)
    own = register(world.dealer, customer_name="深圳市星河电子有限公司")
    before = DealRegistration.objects.count()
    client = _partner_client(client_a, world, "deals:write")
    taken = _post(
        client, "/api/v1/deals/check/", {"customer_name": TENGFEI, "credit_code": code}
    ).json()
    assert taken == {
        "checked": True,
        "verdict": "block",
        "matched": ["credit_code", "name"],
        "message": "This customer is already registered or covered by the vendor: the "
        "registration will not be protected unless the channel manager decides otherwise.",
        "own": [],
        "candidates": [],
    }
    mine = _post(client, "/api/v1/deals/check/", {"customer_name": "深圳市星河电子有限公司"})
    assert mine.json()["verdict"] is None
    assert mine.json()["own"] == [
        {
            "id": own.pk,
            "number": own.number,
            "customer_name": "深圳市星河电子有限公司",
            "status": "submitted",
        }
    ]
    # Its own registration being edited is left out of its own check.
    edited = _post(
        client,
        "/api/v1/deals/check/",
        {"customer_name": "深圳市星河电子有限公司", "exclude": own.pk},
    )
    assert edited.json()["own"] == []
    empty = _post(client, "/api/v1/deals/check/", {}).json()
    assert (empty["checked"], empty["verdict"]) == (False, None)
    assert DealRegistration.objects.count() == before


def test_the_check_cannot_probe_through_another_partners_registration(
    world: World, client_a: Client
) -> None:
    other = register(world.stranger, customer_name=TENGFEI)
    client = _partner_client(client_a, world, "deals:write")
    refused = _post(client, "/api/v1/deals/check/", {"customer_name": TENGFEI, "exclude": other.pk})
    assert refused.json()["error"]["fields"] == {"exclude": [f"No registration {other.pk} here."]}


def test_the_check_keeps_the_portals_pace(world: World, client_a: Client, monkeypatch: Any) -> None:
    monkeypatch.setattr("deal_registration.api.CHECKS_PER_MINUTE", 1)
    client = _partner_client(client_a, world, "deals:write")
    assert _post(client, "/api/v1/deals/check/", {"customer_name": TENGFEI}).status_code == 200
    slow = _post(client, "/api/v1/deals/check/", {"customer_name": TENGFEI})
    assert slow.status_code == 429
    assert slow.json()["error"]["message"] == "Too many checks; wait a minute."


def test_vendor_keys_see_the_candidates_they_may_see(
    world: World, client_a: Client, vendor_admin: Any
) -> None:
    code = make_credit_code(4403, region="440300")
    holder = register(world.stranger, customer_name=TENGFEI, credit_code=code)
    body = {"customer_name": TENGFEI, "credit_code": code}
    admin = bearer(client_a, key_for(vendor_admin, "deals:write"))
    found = _post(admin, "/api/v1/deals/check/", body).json()
    assert (found["verdict"], found["own"]) == ("block", [])
    assert found["candidates"] == [
        {
            "source": "registration",
            "verdict": "block",
            "score": "1.00",
            "matched": ["credit_code", "name"],
            "registration": holder.pk,
            "registration_number": holder.number,
            "partner": world.theirs.pk,
            "account": None,
        }
    ]
    # The channel manager of another partner learns that the customer is taken, not by whom.
    manager = bearer(
        Client(HTTP_HOST="alpha.localhost"),
        key_for(world.manager, "deals:write", actor=vendor_admin),
    )
    (hidden,) = _post(manager, "/api/v1/deals/check/", body).json()["candidates"]
    assert (hidden["verdict"], hidden["registration"], hidden["partner"]) == ("block", None, None)
    assert hidden["registration_number"] is None


def test_the_channel_manager_decides_through_the_vendor_services(
    world: World, client_a: Client, vendor_admin: Any
) -> None:
    first = register(world.dealer, customer_name="东莞精工模具有限公司")
    second = register(world.dealer, customer_name="佛山美居家具有限公司")
    partner = _partner_client(client_a, world, "deals:write")
    assert _post(partner, f"/api/v1/deals/{first.pk}/approve/", {}).status_code == 403
    outsider = bearer(
        Client(HTTP_HOST="alpha.localhost"),
        key_for(world.other_manager, "deals:write", actor=vendor_admin),
    )
    assert _post(outsider, f"/api/v1/deals/{first.pk}/approve/", {}).status_code == 404
    manager = bearer(
        Client(HTTP_HOST="alpha.localhost"),
        key_for(world.manager, "deals:write", actor=vendor_admin),
    )
    approved = _post(manager, f"/api/v1/deals/{first.pk}/approve/", {}).json()
    assert approved["status"] == "approved"
    first.refresh_from_db()
    assert approved["protection_ends"] == first.protection_ends.isoformat()
    no_reason = _post(manager, f"/api/v1/deals/{second.pk}/reject/", {"reason": " "})
    assert no_reason.json()["error"]["fields"] == {"reason": ["Say why."]}
    rejected = _post(manager, f"/api/v1/deals/{second.pk}/reject/", {"reason": "客户已由直销跟进"})
    assert rejected.json()["status"] == "rejected"
    assert DealRegistration.objects.get(pk=second.pk).status == DealStatus.REJECTED
    third = register(world.dealer, customer_name="惠州新能源电池有限公司")
    sent_back = _post(
        manager, f"/api/v1/deals/{third.pk}/request-info/", {"reason": "请补充预算来源"}
    ).json()
    assert (sent_back["status"], sent_back["answer_due_on"] is not None) == ("more_info", True)


def test_the_list_costs_the_same_queries_for_more_registrations(
    world: World, client_a: Client, vendor_admin: Any
) -> None:
    register(world.dealer, customer_name="东莞精工模具有限公司")
    admin = bearer(client_a, key_for(vendor_admin, "deals:read"))
    admin.get("/api/v1/deals/")  # the key's first use is recorded once
    with CaptureQueriesContext(connection) as one:
        assert admin.get("/api/v1/deals/").json()["count"] == 1
    register(world.dealer, customer_name="佛山美居家具有限公司")
    register(world.stranger, customer_name="惠州新能源电池有限公司")
    with CaptureQueriesContext(connection) as three:
        assert admin.get("/api/v1/deals/").json()["count"] == 3
    assert len(three) == len(one)


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/deals/",
    ],
)
def test_anonymous_callers_and_another_vendors_keys_reach_nothing(
    url: str, in_a: Any, client_b: Client, tenant_b: Any, vendor_admin: Any
) -> None:
    assert Client(HTTP_HOST="alpha.localhost").get(url).status_code == 401
    token = key_for(vendor_admin, "deals:read")
    connection.set_tenant(tenant_b)
    assert bearer(client_b, token).get(url).status_code == 401
