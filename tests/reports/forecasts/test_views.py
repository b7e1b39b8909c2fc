"""The vendor's forecast pages over HTTP: cycles and who has not submitted, one partner's
forecast with adjust / send back / commit, the roll-up and accuracy pages with their CSV and
XLSX downloads, and bounded query counts."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from prm.accounts.roles import Role
from reports.models import Forecast, ForecastStatus
from reports.periods import add_months
from reports.rollups import rollups_rebuild
from tests.conftest import login
from tests.factories import make_user

from .conftest import Forecasting, World, dealer, forecast, placed
from .pages import csv_rows, english, flashed, table_rows, xlsx_rows

pytestmark = pytest.mark.django_db

D = Decimal


def cycle_url(world: World) -> str:
    return reverse("forecasts:cycle", args=[world.cycle.year, world.cycle.month])


# --- cycles -------------------------------------------------------------------------------------


def test_the_cycle_list_counts_each_managers_partners_by_status(forecasting: Forecasting):
    world = forecasting.world
    dealer(name="广州未开始贸易有限公司", region="广东", channel_manager=world.north)
    east, north = english(world.east), english(world.north)

    east_page = east.get(reverse("forecasts:cycles"))
    north_page = north.get(reverse("forecasts:cycles"))
    download = east.get(reverse("forecasts:cycles"), {"export": "csv", "table": "forecast-cycles"})

    cycle = f"{world.cycle:%Y-%m}"
    # East: Shanghai committed, Zhejiang submitted, the straggler's draft.
    assert table_rows(east_page, "forecast-cycles") == [[cycle, 3, 0, 1, 1, 1]]
    # North: Beijing submitted, and a partner that has not started.
    assert table_rows(north_page, "forecast-cycles") == [[cycle, 2, 1, 0, 1, 0]]
    assert cycle_url(world).encode() in east_page.content
    assert csv_rows(download) == [
        ["Cycle", "Active partners", "Not started", "Draft", "Submitted", "Committed"],
        [cycle, "3", "0", "1", "1", "1"],
    ]
    assert download["Content-Disposition"].startswith('attachment; filename="forecast-cycles-')


def test_a_cycle_lists_who_has_not_submitted(forecasting: Forecasting):
    world = forecasting.world
    idle, _admin = dealer(name="广州未开始贸易有限公司", region="广东", channel_manager=world.east)
    client = english(world.east)  # his partners: not Beijing

    everyone = client.get(cycle_url(world))
    late = client.get(cycle_url(world), {"state": "not_submitted"})
    not_started = client.get(cycle_url(world), {"state": "none"})
    committed = client.get(cycle_url(world), {"state": "committed"})
    download = client.get(
        cycle_url(world),
        {
            "state": "not_submitted",
            "export": "xlsx",
            "table": f"forecast-{world.cycle:%Y-%m}-partners",
        },
    )

    key = f"forecast-{world.cycle:%Y-%m}-partners"
    names = [row[0] for row in table_rows(everyone, key)]
    assert sorted(names) == sorted(
        p.name for p in (world.shanghai, world.zhejiang, forecasting.straggler, idle)
    )
    assert [row[0] for row in table_rows(late, key)] == [forecasting.straggler.name, idle.name]
    assert [row[0] for row in table_rows(not_started, key)] == [idle.name]
    assert table_rows(committed, key) == [
        [
            world.shanghai.name,
            "Shanghai",
            "East China",
            "华东经理",
            "Committed",
            table_rows(committed, key)[0][5],
            D("7000.00"),
            D("7000.00"),
        ]
    ]
    zhejiang = next(r for r in table_rows(everyone, key) if r[0] == world.zhejiang.name)
    assert zhejiang[4:5] + zhejiang[6:] == ["Submitted", D("1700.00"), D("2100.00")]
    assert xlsx_rows(download) == [
        [
            "Partner",
            "Province",
            "Area",
            "Channel manager",
            "Status",
            "Submitted at",
            "Partner's forecast",
            "Final forecast",
        ],
        [
            forecasting.straggler.name,
            "Shanghai",
            "East China",
            "华东经理",
            "Draft",
            None,
            99999,
            99999,
        ],
        [
            idle.name,
            "Guangdong",
            "Central and South China",
            "华东经理",
            "Not started",
            None,
            None,
            None,
        ],
    ]


# --- one forecast -------------------------------------------------------------------------------


def test_the_channel_manager_adjusts_sends_back_and_commits_over_http(forecasting: Forecasting):
    world = forecasting.world
    f = forecasting.beijing
    line = f.lines.get(product_line=world.routers, month=world.months[0])
    client = english(world.north)
    detail = reverse("forecasts:detail", args=[f.pk])
    adjust = reverse("forecasts:adjust", args=[f.pk, line.pk])

    page = client.get(detail)
    no_note = client.post(adjust, {"adjusted_amount": "1800.00", "note": ""}, follow=True)
    bad = client.post(adjust, {"adjusted_amount": "12abc", "note": "x"}, follow=True)
    adjusted = client.post(adjust, {"adjusted_amount": "1800.00", "note": "新增项目"}, follow=True)
    no_reason = client.post(reverse("forecasts:return", args=[f.pk]), {"reason": ""}, follow=True)
    committed = client.post(reverse("forecasts:commit", args=[f.pk]), follow=True)
    after = client.get(detail)

    assert page.status_code == 200
    assert page.context["can_adjust"] is True
    assert f'action="{adjust}"'.encode() in page.content
    assert flashed(no_note) == ["Say why the figure changes."]
    assert flashed(bad) == ["Enter a number."]
    assert flashed(adjusted) == [f"Routers {world.months[0]:%Y-%m} adjusted."]
    assert flashed(no_reason) == ["Say why."]
    assert flashed(committed) == [f"The forecast of {world.beijing.name} is committed."]
    assert committed.redirect_chain == [(detail, 302)]
    saved = Forecast.objects.get(pk=f.pk)
    assert (saved.status, saved.committed_by) == (ForecastStatus.COMMITTED, world.north)
    assert table_rows(after, f"forecast-{world.cycle:%Y-%m}-lines")[0] == [
        "Routers",
        f"{world.months[0]:%Y-%m}",
        D("1500.50"),
        D("1800.00"),
        D("1800.00"),
        "新增项目",
        "华北经理",
        D("0"),
        None,
    ]
    assert after.context["can_adjust"] is False
    assert b"Adjust and commit" not in after.content


def test_sending_back_over_http(forecasting: Forecasting):
    world = forecasting.world
    client = english(world.east)
    url = reverse("forecasts:return", args=[forecasting.zhejiang.pk])

    response = client.post(url, {"reason": "交换机偏低"}, follow=True)

    assert flashed(response) == [
        f"The forecast of {world.zhejiang.name} was sent back for changes."
    ]
    assert Forecast.objects.get(pk=forecasting.zhejiang.pk).status == ForecastStatus.DRAFT


def test_a_sales_rep_reads_a_forecast_but_cannot_decide(forecasting: Forecasting):
    rep = english(make_user(Role.SALES))
    f = forecasting.zhejiang
    line = f.lines.get(product_line=forecasting.world.switches, month=forecasting.world.months[1])

    page = rep.get(reverse("forecasts:detail", args=[f.pk]))
    tried = rep.post(
        reverse("forecasts:adjust", args=[f.pk, line.pk]), {"adjusted_amount": "1", "note": "x"}
    )

    assert page.status_code == 200
    assert page.context["can_adjust"] is False
    assert tried.status_code == 403
    assert f.lines.get(pk=line.pk).adjusted_amount is None


# --- roll-up and accuracy -----------------------------------------------------------------------


def test_the_rollup_page_filters_and_downloads_every_table(forecasting: Forecasting, vendor_admin):
    world = forecasting.world
    client = english(vendor_admin)
    url = reverse("forecasts:rollup")
    m1 = f"{world.months[0]:%Y-%m}"

    page = client.get(url, {"area": "east"})
    areas_csv = client.get(url, {"area": "east", "export": "csv", "table": "forecast-areas"})
    national = client.get(url, {"area": "east", "export": "xlsx", "table": "forecast-national"})
    downloads = [
        client.get(url, {"export": fmt, "table": key})
        for fmt in ("csv", "xlsx")
        for key in ("forecast-months", "forecast-national", "forecast-areas", "forecast-provinces")
    ]
    unknown = [
        client.get(url, {"export": "pdf", "table": "forecast-areas"}),
        client.get(url, {"export": "csv", "table": "nope"}),
    ]

    assert page.status_code == 200
    assert page.context["total"].final == D("9100.00")
    assert page.context["partners"] == 2
    assert table_rows(page, "forecast-months")[0] == [
        m1,
        D("2500.00"),
        D("2900.00"),
        D("6234.57"),
        None,
        None,
    ]
    assert csv_rows(areas_csv)[:2] == [
        [
            "Area",
            "Month",
            "Product line",
            "Partners' forecast",
            "Final forecast",
            "Weighted pipeline",
            "Actual ordered",
            "Accuracy",
        ],
        ["East China", m1, "Routers", "1800.00", "2200.00", "6234.57", "", ""],
    ]
    assert csv_rows(areas_csv)[-1] == ["Total", "", "", "8700.00", "9100.00", "6484.58", "", ""]
    assert xlsx_rows(national)[1] == [m1, "Routers", 1800, 2200, 6234.57, None, None]
    assert [r.status_code for r in downloads] == [200] * 8
    assert [r.status_code for r in unknown] == [404, 404]
    assert b"export=xlsx" in page.content


def test_the_accuracy_page_defaults_to_the_newest_cycle_with_a_month_over(
    forecasting: Forecasting, vendor_admin, clock
):
    world = forecasting.world
    placed(world.shanghai, (world.router, 1), on=world.months[0].replace(day=3), admin=vendor_admin)
    rollups_rebuild()
    clock["day"] = add_months(world.cycle, 2)
    client = english(vendor_admin)
    url = reverse("forecasts:accuracy")

    page = client.get(url)
    download = client.get(url, {"export": "csv", "table": "forecast-accuracy-areas"})

    m1 = f"{world.months[0]:%Y-%m}"
    assert page.status_code == 200
    assert page.context["filter"]["form"]["cycle"].value() == f"{world.cycle:%Y-%m}"
    assert page.context["closed"] == [world.months[0]]
    assert csv_rows(download) == [
        ["Area", "Month", "Final forecast", "Actual ordered", "Accuracy"],
        ["North China", m1, "1500.50", "0.00", "0.0000"],
        ["East China", m1, "2900.00", "1000.00", "0.0000"],
        ["National", m1, "4400.50", "1000.00", "0.0000"],
    ]


def test_before_any_month_is_over_the_accuracy_page_says_so(forecasting: Forecasting, vendor_admin):
    client = english(vendor_admin)

    page = client.get(reverse("forecasts:accuracy"), {"cycle": f"{forecasting.world.cycle:%Y-%m}"})

    assert page.status_code == 200
    assert b"No month of this cycle is over yet" in page.content
    assert table_rows(page, "forecast-accuracy-partners") == []


# --- query counts -------------------------------------------------------------------------------


def _queries(client: Client, url: str, params: dict[str, str] | None = None) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url, params or {}).status_code == 200
    return len(ctx)


def _more_partners(world: World, count: int) -> None:
    for n in range(count):
        partner, admin = dealer(
            name=f"宁波新增伙伴{n}有限公司", region="浙江", channel_manager=world.east
        )
        partner.product_lines.add(world.routers, world.switches)
        world.users[partner.pk] = admin
        forecast(world, partner, routers=("10.00", "0", "0"), switches=("0", "5.00", "0"))


def test_the_forecast_pages_cost_the_same_for_3_and_7_partners(
    forecasting: Forecasting, vendor_admin
):
    world = forecasting.world
    client = english(vendor_admin)
    pages: list[tuple[str, dict[str, str]]] = [
        (reverse("forecasts:cycles"), {}),
        (cycle_url(world), {}),
        (reverse("forecasts:rollup"), {}),
        (reverse("forecasts:rollup"), {"province": "浙江", "product_line": str(world.routers.pk)}),
        (reverse("forecasts:accuracy"), {"cycle": f"{world.cycle:%Y-%m}"}),
        (reverse("forecasts:detail", args=[forecasting.zhejiang.pk]), {}),
    ]

    few = [_queries(client, url, params) for url, params in pages]
    _more_partners(world, 4)
    many = [_queries(client, url, params) for url, params in pages]

    assert many == few
    assert max(few) <= 16  # with session, user, tenant, notification bell


def test_the_pages_read_in_chinese_by_default(forecasting: Forecasting, vendor_admin):
    world = forecasting.world
    client = login(Client(HTTP_HOST="alpha.localhost"), vendor_admin)
    urls = [
        reverse("forecasts:cycles"),
        cycle_url(world),
        reverse("forecasts:rollup"),
        reverse("forecasts:accuracy"),
        reverse("forecasts:detail", args=[forecasting.zhejiang.pk]),
    ]

    pages = [client.get(url) for url in urls]
    portal = login(Client(HTTP_HOST="alpha.localhost"), world.user(world.shanghai)).get(
        "/portal/forecasts/"
    )

    assert [p.status_code for p in pages] == [200] * 5
    assert "路由器".encode() in pages[2].content  # the product line's Chinese name
    assert "上海".encode() in pages[2].content
    assert portal.status_code == 200
    assert "路由器".encode() in portal.content
