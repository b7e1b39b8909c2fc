"""Rebates and market funds through the API: programs and accruals as each key's user sees them,
fund requests and claims likewise, and a partner's key asking for funds (once per
Idempotency-Key) through the portal's rules and services."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from mdf.claims import InvoiceIn, claim_submit
from mdf.ledger import fund_allocate
from mdf.models import MdfActivityType, MdfClaim, MdfFund, MdfRequest
from mdf.requests import request_approve, request_save, request_submit
from partners.models import Partner
from partners.onboarding.services import onboarding_complete_all
from prm.accounts.models import User
from prm.accounts.roles import Role
from prm.tenancy.selectors import tenant_today
from rebates.models import RebateAccrual, RebateProgram, RebateTier
from rebates.settlement import settle
from tests.factories import make_fund, make_partner, make_user

from .api_helpers import bearer, key_for

pytestmark = pytest.mark.django_db

D = Decimal


@dataclass
class World:
    mine: Partner
    dealer: User
    theirs: Partner
    stranger: User
    manager: User  # channel manager of `theirs`
    finance: User


@pytest.fixture
def world(in_a: Any) -> World:
    mine = make_partner(name="华东智能科技有限公司")
    theirs = make_partner(name="西湖安防设备有限公司")
    onboarding_complete_all(partner=mine)
    manager = make_user(Role.CHANNEL_MANAGER)
    Partner.objects.filter(pk=theirs.pk).update(channel_manager=manager)
    return World(
        mine=mine,
        dealer=make_user(Role.PARTNER_ADMIN, partner=mine),
        theirs=theirs,
        stranger=make_user(Role.PARTNER_ADMIN, partner=theirs),
        manager=manager,
        finance=make_user(Role.FINANCE),
    )


def _client(user: User, *scopes: str, actor: Any = None) -> Client:
    return bearer(Client(HTTP_HOST="alpha.localhost"), key_for(user, *scopes, actor=actor))


def _results(client: Client, url: str) -> list[dict[str, Any]]:
    answer = client.get(url)
    assert answer.status_code == 200, answer.content
    return answer.json()["results"]


# --- rebates -------------------------------------------------------------------------------------


def _program(code: str, status: str = "active", **kw: Any) -> RebateProgram:
    program = RebateProgram.objects.create(
        code=code,
        name=f"{code} 返利",
        period_type="quarter",
        starts_on=date(2025, 1, 1),
        ends_on=date(2099, 12, 31),
        basis="collected",
        tier_mode="retroactive",
        status=status,
        **kw,
    )
    RebateTier.objects.create(program=program, threshold_from=D("500000"), rate=D("3"))
    return program


def _accrual(program: RebateProgram, partner: Partner, basis: str, amount: str) -> RebateAccrual:
    return RebateAccrual.objects.create(
        program=program,
        partner=partner,
        period_start=date(2025, 1, 1),
        period_end=date(2025, 3, 31),
        basis=D(basis),
        tier=program.bands.get(),
        uncapped_amount=D(amount),
        capped_amount=D(amount),
        amount=D(amount),
    )


@pytest.fixture
def rebates(world: World) -> dict[str, Any]:
    everyone = _program("q-collect")
    only_theirs = _program("west-lake")
    only_theirs.partners.add(world.theirs)
    _program("next-year", status="draft")
    mine = _accrual(everyone, world.mine, "600000.00", "18000.00")
    theirs = _accrual(only_theirs, world.theirs, "1200000.00", "36000.00")
    # A period where nothing happened is kept (at zero) but not listed.
    RebateAccrual.objects.create(
        program=everyone,
        partner=world.mine,
        period_start=date(2025, 4, 1),
        period_end=date(2025, 6, 30),
    )
    settle(mine, actor=world.finance, note="2025Q1")
    return {"everyone": everyone, "mine": mine, "theirs": theirs}


def test_a_partner_key_reads_its_programs_and_accruals(
    world: World, rebates: dict[str, Any], vendor_admin: Any
) -> None:
    client = _client(world.dealer, "rebates:read", actor=vendor_admin)
    programs = _results(client, "/api/v1/rebate-programs/")
    assert [p["code"] for p in programs] == ["q-collect"]
    assert programs[0]["bands"] == [
        {
            "id": rebates["everyone"].bands.get().pk,
            "threshold_from": "500000.00",
            "threshold_to": None,
            "rate": "3.000",
            "fixed_amount": None,
        }
    ]
    (accrual,) = _results(client, "/api/v1/rebate-accruals/")
    mine = rebates["mine"]
    assert accrual == {
        "id": mine.pk,
        "program": rebates["everyone"].pk,
        "program_code": "q-collect",
        "partner": world.mine.pk,
        "period_start": "2025-01-01",
        "period_end": "2025-03-31",
        "basis": "600000.00",
        "tier": rebates["everyone"].bands.get().pk,
        "bonus": "0.00",
        "uncapped_amount": "18000.00",
        "capped_amount": "18000.00",
        "amount": "18000.00",
        "settled": "18000.00",
        "computed_at": accrual["computed_at"],
    }
    assert client.get(f"/api/v1/rebate-accruals/{rebates['theirs'].pk}/").status_code == 404
    their_program = rebates["theirs"].program_id
    assert client.get(f"/api/v1/rebate-programs/{their_program}/").status_code == 404


def test_vendor_keys_read_rebates_as_their_users_see_them(
    world: World, rebates: dict[str, Any], vendor_admin: Any
) -> None:
    finance = _client(world.finance, "rebates:read", actor=vendor_admin)
    listed = _results(finance, "/api/v1/rebate-accruals/")
    assert [(a["program_code"], a["amount"], a["settled"]) for a in listed] == [
        ("q-collect", "18000.00", "18000.00"),
        ("west-lake", "36000.00", "0.00"),
    ]
    programs = _results(finance, "/api/v1/rebate-programs/?status=active")
    assert [p["code"] for p in programs] == ["q-collect", "west-lake"]
    assert len(_results(finance, "/api/v1/rebate-programs/")) == 3
    manager = _client(world.manager, "rebates:read", actor=vendor_admin)
    assert [a["id"] for a in _results(manager, "/api/v1/rebate-accruals/")] == [
        rebates["theirs"].pk
    ]
    assert manager.get(f"/api/v1/rebate-accruals/{rebates['mine'].pk}/").status_code == 404


def test_rebates_are_read_only(world: World, rebates: dict[str, Any], vendor_admin: Any) -> None:
    reader = _client(world.finance, "rebates:read", actor=vendor_admin)
    refused = reader.post("/api/v1/rebate-accruals/", {}, content_type="application/json")
    assert refused.status_code == 403
    assert refused.json()["error"]["message"] == "This key lacks the scope rebates:write."
    assert _client(world.finance, "mdf:read").get("/api/v1/rebate-programs/").status_code == 403


# --- market funds --------------------------------------------------------------------------------


def _claimed(
    world: World, fund: MdfFund, kind: MdfActivityType, title: str, invoice: str
) -> tuple[MdfRequest, MdfClaim]:
    """A request of `theirs`, approved by its channel manager and claimed with one invoice."""
    today = tenant_today()
    asked = request_save(
        MdfRequest(
            fund=fund,
            activity_type=kind,
            title=title,
            starts_on=today,
            ends_on=today,
            plan="邀请 30 家终端客户",
        ),
        [("场地", D("2000.00"))],
        user=world.stranger,
    )
    request_submit(asked, user=world.stranger)
    request_approve(asked, user=world.manager)
    claim = claim_submit(
        asked,
        [InvoiceIn(number=invoice, issued_on=today, amount=D("1800.00"), issuer="西湖酒店")],
        user=world.stranger,
        leads=12,
    )
    return asked, claim


@pytest.fixture
def funds(world: World) -> dict[str, Any]:
    fund = make_fund("mdf-api", "API 市场费用")
    for partner in (world.mine, world.theirs):
        fund_allocate(fund, partner, D("10000.00"))
    seminar = MdfActivityType.objects.create(code="seminar", name="研讨会")
    theirs, claim = _claimed(world, fund, seminar, "西湖渠道研讨会", "INV-0042")
    return {"fund": fund, "theirs": theirs, "claim": claim}


REQUEST = {
    "fund": "mdf-api",
    "activity_type": "seminar",
    "title": "杭州渠道研讨会",
    "location": "杭州",
    "plan": "邀请 40 家终端客户",
    "expected_leads": 20,
    "expected_revenue": "300000.00",
    "lines": [
        {"description": "场地", "amount": "3000.00"},
        {"description": "餐饮", "amount": "1000.00"},
    ],
}


def _request_body(**overrides: Any) -> dict[str, Any]:
    today = tenant_today().isoformat()
    return {**REQUEST, "starts_on": today, "ends_on": today, **overrides}


def _post(client: Client, url: str, body: dict, **headers: str) -> Any:
    return client.post(url, body, content_type="application/json", **headers)


def test_a_partner_key_asks_for_funds_once_per_idempotency_key(
    world: World, funds: dict[str, Any], vendor_admin: Any
) -> None:
    client = _client(world.dealer, "mdf:write", actor=vendor_admin)
    body = _request_body()
    first = _post(client, "/api/v1/mdf-requests/", body, HTTP_IDEMPOTENCY_KEY="mkt-2026-11")
    again = _post(client, "/api/v1/mdf-requests/", body, HTTP_IDEMPOTENCY_KEY="mkt-2026-11")
    assert first.status_code == again.status_code == 201
    assert again["Idempotent-Replayed"] == "true"
    assert first.json() == again.json()
    asked = first.json()
    created = MdfRequest.objects.get(partner=world.mine)
    assert (asked["id"], asked["number"], asked["partner"]) == (
        created.pk,
        created.number,
        world.mine.pk,
    )
    assert (
        asked["status"],
        asked["fund"],
        asked["activity_type"],
        asked["requested_amount"],
        asked["approved_amount"],
    ) == ("submitted", "mdf-api", "seminar", "4000.00", None)
    assert [(line["description"], line["amount"]) for line in asked["lines"]] == [
        ("场地", "3000.00"),
        ("餐饮", "1000.00"),
    ]


def test_a_refused_request_names_its_field_and_keeps_nothing(
    world: World, funds: dict[str, Any], vendor_admin: Any
) -> None:
    client = _client(world.dealer, "mdf:write", actor=vendor_admin)
    too_much = _post(
        client,
        "/api/v1/mdf-requests/",
        _request_body(lines=[{"description": "展位", "amount": "12000.00"}]),
    )
    assert too_much.status_code == 400
    assert too_much.json()["error"]["fields"] == {
        "lines": ["¥12,000.00 is more than the ¥10,000.00 available in this fund."]
    }
    no_lines = _post(client, "/api/v1/mdf-requests/", _request_body(lines=[]))
    assert no_lines.json()["error"]["fields"] == {"lines": ["Add at least one budget line."]}
    assert not MdfRequest.objects.filter(partner=world.mine).exists()
    draft = _post(client, "/api/v1/mdf-requests/", _request_body(submit=False)).json()
    assert draft["status"] == "draft"
    submitted = _post(client, f"/api/v1/mdf-requests/{draft['id']}/submit/", {}).json()
    assert submitted["status"] == "submitted"


def test_vendor_and_read_keys_cannot_ask_for_funds(
    world: World, funds: dict[str, Any], vendor_admin: Any
) -> None:
    vendor = _client(vendor_admin, "mdf:write")
    assert _post(vendor, "/api/v1/mdf-requests/", _request_body()).status_code == 403
    reader = _client(world.dealer, "mdf:read", actor=vendor_admin)
    refused = _post(reader, "/api/v1/mdf-requests/", _request_body())
    assert refused.json()["error"]["message"] == "This key lacks the scope mdf:write."
    assert not MdfRequest.objects.filter(partner=world.mine).exists()


def test_requests_and_claims_are_read_as_each_user_sees_them(
    world: World, funds: dict[str, Any], vendor_admin: Any
) -> None:
    theirs, claim = funds["theirs"], funds["claim"]
    stranger = _client(world.stranger, "mdf:read", actor=vendor_admin)
    (request_row,) = _results(stranger, "/api/v1/mdf-requests/")
    assert (request_row["number"], request_row["status"], request_row["approved_amount"]) == (
        theirs.number,
        "approved",
        "2000.00",
    )
    (claim_row,) = _results(stranger, "/api/v1/mdf-claims/")
    assert claim_row == {
        "id": claim.pk,
        "number": claim.number,
        "request": theirs.pk,
        "request_number": theirs.number,
        "partner": world.theirs.pk,
        "status": "submitted",
        "claimed_amount": "1800.00",
        "approved_amount": None,
        "leads": 12,
        "new_customers": 0,
        "revenue": "0.00",
        "settled_as": "",
        "settled_at": None,
        "created_at": claim_row["created_at"],
        "invoices": [
            {
                "number": "INV-0042",
                "issued_on": tenant_today().isoformat(),
                "amount": "1800.00",
                "issuer": "西湖酒店",
            }
        ],
    }
    mine = _client(world.dealer, "mdf:read", actor=vendor_admin)
    assert _results(mine, "/api/v1/mdf-requests/") == []
    assert _results(mine, "/api/v1/mdf-claims/") == []
    assert mine.get(f"/api/v1/mdf-requests/{theirs.pk}/").status_code == 404
    assert mine.get(f"/api/v1/mdf-claims/{claim.pk}/").status_code == 404
    manager = _client(world.manager, "mdf:read", actor=vendor_admin)
    assert [r["id"] for r in _results(manager, "/api/v1/mdf-requests/")] == [theirs.pk]
    other_manager = _client(make_user(Role.CHANNEL_MANAGER), "mdf:read", actor=vendor_admin)
    assert _results(other_manager, "/api/v1/mdf-claims/") == []
    assert other_manager.get(f"/api/v1/mdf-claims/{claim.pk}/").status_code == 404
    marketing = _client(make_user(Role.MARKETING), "mdf:read", actor=vendor_admin)
    found = _results(marketing, "/api/v1/mdf-claims/?q=INV-0042")
    assert [c["number"] for c in found] == [claim.number]


def _queries(client: Client, urls: list[str]) -> list[int]:
    counts = []
    for url in urls:
        with CaptureQueriesContext(connection) as done:
            assert client.get(url).status_code == 200
        counts.append(len(done))
    return counts


def test_the_lists_cost_the_same_queries_for_more_rows(
    world: World, rebates: dict[str, Any], funds: dict[str, Any], vendor_admin: Any
) -> None:
    urls = [
        "/api/v1/rebate-programs/",
        "/api/v1/rebate-accruals/",
        "/api/v1/mdf-requests/",
        "/api/v1/mdf-claims/",
    ]
    client = _client(world.finance, "rebates:read", "mdf:read", actor=vendor_admin)
    client.get(urls[0])  # the key's first use is recorded once
    before = _queries(client, urls)
    _accrual(_program("h-ordered"), world.theirs, "700000.00", "21000.00")
    _claimed(world, funds["fund"], funds["theirs"].activity_type, "西湖新品发布会", "INV-0043")
    assert _queries(client, urls) == before


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/rebate-programs/",
        "/api/v1/rebate-accruals/",
        "/api/v1/mdf-requests/",
        "/api/v1/mdf-claims/",
    ],
)
def test_anonymous_callers_and_another_vendors_keys_reach_nothing(
    url: str, in_a: Any, client_b: Client, tenant_b: Any, vendor_admin: Any
) -> None:
    assert Client(HTTP_HOST="alpha.localhost").get(url).status_code == 401
    token = key_for(vendor_admin, "rebates:read", "mdf:read")
    connection.set_tenant(tenant_b)
    assert bearer(client_b, token).get(url).status_code == 401
