"""Forecasts through the API: each key sees its user's forecasts, and a partner's key sees a line
as the portal shows it (the channel manager's figures only once committed, his note never)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from partners.models import Partner, ProductLine
from prm.accounts.models import User
from prm.accounts.roles import Role
from reports.forecast_selectors import current_cycle, cycle_months
from reports.forecast_services import (
    forecast_adjust,
    forecast_commit,
    forecast_open,
    forecast_save,
    forecast_submit,
)
from reports.models import Forecast
from tests.deal_registration.deals import dealer
from tests.factories import make_user

from .api_helpers import bearer, key_for

pytestmark = pytest.mark.django_db

D = Decimal


@dataclass
class World:
    months: list[date]
    routers: ProductLine
    switches: ProductLine
    east: User  # channel manager of `mine`
    north: User  # channel manager of `theirs`
    mine: Partner
    dealer: User
    theirs: Partner
    ours: Forecast  # submitted; routers of the first month adjusted 1000.00 → 1200.00
    their: Forecast  # committed


def _line(code: str, name: str) -> ProductLine:
    line, _created = ProductLine.objects.get_or_create(code=code, defaults={"name": name})
    return line


def _forecast(partner: Partner, user: User, figures: dict[tuple[int, date], str]) -> Forecast:
    opened = forecast_open(partner=partner, cycle=current_cycle(), actor=user)
    forecast_save(forecast=opened, amounts={k: D(v) for k, v in figures.items()}, actor=user)
    return forecast_submit(forecast=opened, actor=user)


@pytest.fixture
def world(in_a: Any) -> World:
    routers, switches = _line("f-routers", "路由器"), _line("f-switches", "交换机")
    east, north = make_user(Role.CHANNEL_MANAGER), make_user(Role.CHANNEL_MANAGER)
    mine, user = dealer(name="上海申通网络有限公司", channel_manager=east)
    mine.product_lines.add(routers, switches)
    theirs, stranger = dealer(name="北京燕山信息有限公司", channel_manager=north)
    theirs.product_lines.add(routers)
    m1, m2, m3 = months = cycle_months(current_cycle())
    ours = _forecast(
        mine,
        user,
        {
            (routers.pk, m1): "1000.00",
            (routers.pk, m2): "2000.00",
            (routers.pk, m3): "3000.00",
            (switches.pk, m1): "500.00",
        },
    )
    forecast_adjust(
        line=ours.lines.get(product_line=routers, month=m1),
        amount=D("1200.00"),
        note="大客户项目已确认",
        actor=east,
    )
    their = _forecast(theirs, stranger, {(routers.pk, m1): "1500.50"})
    forecast_commit(forecast=their, actor=north)
    return World(months, routers, switches, east, north, mine, user, theirs, ours, their)


def _client(user: User, *scopes: str, actor: Any = None) -> Client:
    return bearer(Client(HTTP_HOST="alpha.localhost"), key_for(user, *scopes, actor=actor))


def _lines(forecast: dict[str, Any]) -> list[tuple[Any, ...]]:
    return [
        (
            line["product_line"],
            line["month"],
            line["amount"],
            line["adjusted_amount"],
            line["final_amount"],
            line["note"],
        )
        for line in forecast["lines"]
    ]


def test_a_partner_key_sees_its_forecast_as_the_portal_shows_it(
    world: World, vendor_admin: Any
) -> None:
    client = _client(world.dealer, "forecasts:read", actor=vendor_admin)
    (listed,) = client.get("/api/v1/forecasts/").json()["results"]
    m1, m2, m3 = (m.isoformat() for m in world.months)
    assert (listed["id"], listed["partner"], listed["cycle"], listed["status"]) == (
        world.ours.pk,
        world.mine.pk,
        current_cycle().isoformat(),
        "submitted",
    )
    # Submitted: its own figures; the manager's adjustment is not shown before he commits.
    assert _lines(listed) == [
        ("f-routers", m1, "1000.00", None, None, ""),
        ("f-routers", m2, "2000.00", None, None, ""),
        ("f-routers", m3, "3000.00", None, None, ""),
        ("f-switches", m1, "500.00", None, None, ""),
        ("f-switches", m2, "0.00", None, None, ""),
        ("f-switches", m3, "0.00", None, None, ""),
    ]
    assert client.get(f"/api/v1/forecasts/{world.their.pk}/").status_code == 404
    forecast_commit(forecast=world.ours, actor=world.east)
    committed = client.get(f"/api/v1/forecasts/{world.ours.pk}/").json()
    assert committed["status"] == "committed"
    assert _lines(committed)[:2] == [
        ("f-routers", m1, "1000.00", None, "1200.00", ""),
        ("f-routers", m2, "2000.00", None, "2000.00", ""),
    ]


def test_vendor_keys_see_the_adjustments_of_the_partners_they_see(
    world: World, vendor_admin: Any
) -> None:
    admin = _client(vendor_admin, "forecasts:read")
    listed = admin.get("/api/v1/forecasts/").json()["results"]
    assert [f["id"] for f in listed] == [world.ours.pk, world.their.pk]
    ours = admin.get(f"/api/v1/forecasts/{world.ours.pk}/").json()
    assert _lines(ours)[0] == (
        "f-routers",
        world.months[0].isoformat(),
        "1000.00",
        "1200.00",
        "1200.00",
        "大客户项目已确认",
    )
    committed = admin.get(f"/api/v1/forecasts/?status=committed&partner={world.theirs.pk}")
    assert [f["id"] for f in committed.json()["results"]] == [world.their.pk]
    east = _client(world.east, "forecasts:read", actor=vendor_admin)
    assert [f["id"] for f in east.get("/api/v1/forecasts/").json()["results"]] == [world.ours.pk]
    assert east.get(f"/api/v1/forecasts/{world.their.pk}/").status_code == 404


def test_forecasts_are_read_only_and_closed_without_the_scope(
    world: World, vendor_admin: Any
) -> None:
    reader = _client(world.dealer, "forecasts:read", actor=vendor_admin)
    refused = reader.post("/api/v1/forecasts/", {}, content_type="application/json")
    assert refused.status_code == 403
    assert refused.json()["error"]["message"] == "This key lacks the scope forecasts:write."
    other = _client(world.dealer, "deals:read", actor=vendor_admin)
    assert other.get("/api/v1/forecasts/").status_code == 403
    assert Forecast.objects.count() == 2


def test_the_list_costs_the_same_queries_for_more_forecasts(
    world: World, vendor_admin: Any
) -> None:
    admin = _client(vendor_admin, "forecasts:read")
    admin.get("/api/v1/forecasts/")  # the key's first use is recorded once
    with CaptureQueriesContext(connection) as two:
        assert len(admin.get("/api/v1/forecasts/").json()["results"]) == 2
    more, more_admin = dealer(name="浙江之江科技有限公司", channel_manager=world.east)
    more.product_lines.add(world.routers, world.switches)
    _forecast(more, more_admin, {(world.switches.pk, world.months[1]): "300.00"})
    with CaptureQueriesContext(connection) as three:
        assert len(admin.get("/api/v1/forecasts/").json()["results"]) == 3
    assert len(three) == len(two)


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/forecasts/",
    ],
)
def test_anonymous_callers_and_another_vendors_keys_reach_nothing(
    url: str, in_a: Any, client_b: Client, tenant_b: Any, vendor_admin: Any
) -> None:
    assert Client(HTTP_HOST="alpha.localhost").get(url).status_code == 401
    token = key_for(vendor_admin, "forecasts:read")
    connection.set_tenant(tenant_b)
    assert bearer(client_b, token).get(url).status_code == 401
