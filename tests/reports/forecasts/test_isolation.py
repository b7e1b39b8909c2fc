"""Who reaches a forecast page, a roll-up or an export: another vendor, another partner's
user, a channel manager of other partners, a partner user on the vendor pages, and anyone
signed out. Nothing they try changes anything."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django_tenants.utils import schema_context

from prm.accounts.models import User
from prm.accounts.roles import Role
from reports.models import Forecast, ForecastStatus
from tests.conftest import login
from tests.factories import make_partner, make_user

from .conftest import Forecasting
from .pages import csv_rows, english, table_rows

pytestmark = pytest.mark.django_db

Request = tuple[str, str, dict[str, str]]


def _send(client: Client, request: Request) -> Any:
    method, url, data = request
    return client.get(url, data) if method == "get" else client.post(url, data)


def _statuses(client: Client, requests: list[Request]) -> list[int]:
    return [_send(client, r).status_code for r in requests]


def _vendor_requests(forecasting: Forecasting) -> tuple[list[Request], list[Request]]:
    """(pages by id, lists and reports) of the vendor portal, with their downloads."""
    world = forecasting.world
    f = forecasting.zhejiang
    line = f.lines.first()
    assert line is not None
    cycle = reverse("forecasts:cycle", args=[world.cycle.year, world.cycle.month])
    detail = reverse("forecasts:detail", args=[f.pk])
    by_id: list[Request] = [
        ("get", detail, {}),
        ("get", detail, {"export": "csv", "table": f"forecast-{world.cycle:%Y-%m}-lines"}),
        (
            "post",
            reverse("forecasts:adjust", args=[f.pk, line.pk]),
            {"adjusted_amount": "1", "note": "偷改"},
        ),
        ("post", reverse("forecasts:return", args=[f.pk]), {"reason": "偷看"}),
        ("post", reverse("forecasts:commit", args=[f.pk]), {}),
    ]
    lists: list[Request] = [
        ("get", reverse("forecasts:cycles"), {}),
        ("get", cycle, {}),
        ("get", reverse("forecasts:rollup"), {}),
        ("get", reverse("forecasts:accuracy"), {}),
        ("get", reverse("forecasts:cycles"), {"export": "csv", "table": "forecast-cycles"}),
        ("get", cycle, {"export": "xlsx", "table": f"forecast-{world.cycle:%Y-%m}-partners"}),
        ("get", reverse("forecasts:rollup"), {"export": "csv", "table": "forecast-provinces"}),
        (
            "get",
            reverse("forecasts:accuracy"),
            {"export": "xlsx", "table": "forecast-accuracy-partners"},
        ),
    ]
    return by_id, lists


def _unchanged(forecasting: Forecasting) -> None:
    """Zhejiang's forecast is still submitted with its one adjustment (1,200.00)."""
    f = Forecast.objects.get(pk=forecasting.zhejiang.pk)
    assert f.status == ForecastStatus.SUBMITTED
    adjusted = f.lines.exclude(adjusted_amount=None).values_list("adjusted_amount", flat=True)
    assert list(adjusted) == [Decimal("1200.00")]


def test_vendor_pages_open_only_to_the_vendors_staff_who_see_the_partner(
    forecasting: Forecasting, vendor_admin, client_b
):
    world = forecasting.world
    by_id, lists = _vendor_requests(forecasting)

    def alpha() -> Client:
        return Client(HTTP_HOST="alpha.localhost")

    admin = _statuses(english(vendor_admin), [r for r in by_id + lists if r[0] == "get"])
    north = english(world.north)  # manages Beijing only
    north_by_id = _statuses(north, by_id)
    north_rollup = north.get(reverse("forecasts:rollup"))
    north_export = north.get(
        reverse("forecasts:rollup"), {"export": "csv", "table": "forecast-provinces"}
    )
    partner_user = _statuses(login(alpha(), world.user(world.zhejiang)), by_id + lists)
    anonymous = [_send(alpha(), r) for r in by_id + lists]

    assert admin == [200] * 10
    assert north_by_id == [404] * 5
    assert [row[0] for row in table_rows(north_rollup, "forecast-provinces")] == ["Beijing"] * 3
    assert {row[0] for row in csv_rows(north_export)[1:-1]} == {"Beijing"}
    assert partner_user == [403] * 13
    assert [r.status_code for r in anonymous] == [302] * 13
    assert all(
        r["Location"].startswith("/accounts/login/?next=/reports/forecasts/") for r in anonymous
    )
    _unchanged(forecasting)

    # Last: after a request on bravo's host the connection stays in bravo's schema.
    with schema_context("bravo"):
        login(client_b, User.objects.get(email="admin@bravo.test"))
    bravo_by_id = _statuses(client_b, by_id)
    bravo_lists = [_send(client_b, r) for r in lists]

    assert bravo_by_id == [404] * 5
    assert [r.status_code for r in bravo_lists] == [200] * 8
    assert table_rows(bravo_lists[2], "forecast-national") == []
    assert bravo_lists[6].content.decode("utf-8").count("\n") == 1  # the header only
    assert [row[2:] for row in table_rows(bravo_lists[0], "forecast-cycles")] == [[0, 0, 0, 0]]


def test_portal_pages_show_a_partner_only_its_own_forecasts(forecasting: Forecasting, client_b):
    world = forecasting.world
    theirs = forecasting.zhejiang
    line = theirs.lines.first()
    assert line is not None
    other = english(world.user(world.beijing))
    field = f"amount-{line.product_line_id}-{line.month:%Y-%m}"

    detail = other.get(reverse("portal_forecasts:detail", args=[theirs.pk]))
    detail_csv = other.get(
        reverse("portal_forecasts:detail", args=[theirs.pk]),
        {"export": "csv", "table": f"forecast-{world.cycle:%Y-%m}-lines"},
    )
    save = other.post(
        reverse("portal_forecasts:save", args=[theirs.pk]), {field: "1", "submit": ""}
    )
    home = other.get("/portal/forecasts/")
    home_csv = other.get(
        "/portal/forecasts/", {"export": "csv", "table": f"forecast-{world.cycle:%Y-%m}-lines"}
    )
    vendor_staff = english(world.east).get("/portal/forecasts/")
    anonymous = Client(HTTP_HOST="alpha.localhost").get(
        reverse("portal_forecasts:detail", args=[theirs.pk])
    )

    assert [detail.status_code, detail_csv.status_code, save.status_code] == [404, 404, 404]
    assert home.context["forecast"] == forecasting.beijing
    assert {row[0] for row in csv_rows(home_csv)[1:]} == {"Routers"}
    assert [row[2] for row in csv_rows(home_csv)[1:]] == ["1500.50", "1500.25", "0.00"]
    assert vendor_staff.status_code == 403
    assert anonymous.status_code == 302
    _unchanged(forecasting)

    # A partner user of another vendor, whatever the id, reaches nothing of alpha's.
    with schema_context("bravo"):
        bravo_partner = make_partner(region="上海")
        login(client_b, make_user(Role.PARTNER_ADMIN, partner=bravo_partner))
    bravo_detail = client_b.get(reverse("portal_forecasts:detail", args=[theirs.pk]))
    bravo_home = client_b.get("/portal/forecasts/")

    assert bravo_detail.status_code == 404
    assert bravo_home.context["forecast"] is None
    assert table_rows(bravo_home, "forecast-history") == []
