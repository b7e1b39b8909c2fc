"""The roll-up of the world's cycle (figures and deals in conftest.forecasting), worked out by
hand: partners' and final forecasts, the weighted pipeline, by month and product line,
nationally, by area and by province; filters; visibility; a query count that does not grow
with the number of partners."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from prm.accounts.roles import Role
from reports.forecast_rollup import RollupFilters, forecast_rollup, rollup_tables
from reports.geography import Area
from tests.factories import make_user

from .conftest import Forecasting, dealer, forecast

pytestmark = pytest.mark.django_db

D = Decimal


def tables(user: Any, filters: RollupFilters) -> dict[str, list[list[Any]]]:
    """Each roll-up table's rows and footer, in English, by key without its prefix."""
    with translation.override("en"):
        built = rollup_tables(forecast_rollup(user=user, filters=filters))
        return {
            t.key.removeprefix("forecast-"): [*t.rows, *([t.footer] if t.footer else [])]
            for t in built
        }


def test_the_national_rollup_sums_forecasts_adjustments_and_weighted_pipeline(
    forecasting: Forecasting, vendor_admin
):
    world = forecasting.world
    m1, m2, m3 = (f"{m:%Y-%m}" for m in world.months)

    found = tables(vendor_admin, RollupFilters(cycle=world.cycle))

    # No month is over yet: actuals and accuracy stay empty (None).
    assert found["months"] == [
        [m1, D("4000.50"), D("4400.50"), D("6234.57"), None, None],
        [m2, D("4300.25"), D("4300.25"), D("2750.01"), None, None],
        [m3, D("3400.00"), D("3400.00"), D("0"), None, None],
        ["Total", D("11700.75"), D("12100.75"), D("8984.58"), None, None],
    ]
    assert found["national"] == [
        [m1, "Routers", D("3300.50"), D("3700.50"), D("6234.57"), None, None],
        [m1, "Switches", D("700.00"), D("700.00"), D("0"), None, None],
        [m2, "Routers", D("3500.25"), D("3500.25"), D("2500.00"), None, None],
        [m2, "Switches", D("800.00"), D("800.00"), D("250.01"), None, None],
        [m3, "Routers", D("3000.00"), D("3000.00"), D("0"), None, None],
        [m3, "Switches", D("400.00"), D("400.00"), D("0"), None, None],
        ["Total", "", D("11700.75"), D("12100.75"), D("8984.58"), None, None],
    ]


def test_the_rollup_by_area_and_by_province(forecasting: Forecasting, vendor_admin):
    world = forecasting.world
    m1, m2, m3 = (f"{m:%Y-%m}" for m in world.months)

    found = tables(vendor_admin, RollupFilters(cycle=world.cycle))

    north, east = "North China", "East China"
    assert found["areas"] == [
        [north, m1, "Routers", D("1500.50"), D("1500.50"), D("0"), None, None],
        [north, m2, "Routers", D("1500.25"), D("1500.25"), D("2500.00"), None, None],
        [north, m3, "Routers", D("0.00"), D("0.00"), D("0"), None, None],
        [east, m1, "Routers", D("1800.00"), D("2200.00"), D("6234.57"), None, None],
        [east, m1, "Switches", D("700.00"), D("700.00"), D("0"), None, None],
        [east, m2, "Routers", D("2000.00"), D("2000.00"), D("0"), None, None],
        [east, m2, "Switches", D("800.00"), D("800.00"), D("250.01"), None, None],
        [east, m3, "Routers", D("3000.00"), D("3000.00"), D("0"), None, None],
        [east, m3, "Switches", D("400.00"), D("400.00"), D("0"), None, None],
        ["Total", "", "", D("11700.75"), D("12100.75"), D("8984.58"), None, None],
    ]
    provinces = found["provinces"]
    # GB/T 2260 order: Beijing, Shanghai, Zhejiang ("浙江省" is read as Zhejiang).
    assert [row[:2] for row in provinces[:-1]] == [
        ["Beijing", north],
        ["Beijing", north],
        ["Beijing", north],
        *[["Shanghai", east]] * 6,
        *[["Zhejiang", east]] * 6,
    ]
    assert provinces[3] == [
        "Shanghai",
        east,
        m1,
        "Routers",
        D("1000.00"),
        D("1000.00"),
        D("6234.57"),
        None,
        None,
    ]
    assert provinces[9] == [
        "Zhejiang",
        east,
        m1,
        "Routers",
        D("800.00"),
        D("1200.00"),
        D("0"),
        None,
        None,
    ]
    assert provinces[-1][-5:] == [D("11700.75"), D("12100.75"), D("8984.58"), None, None]


def test_the_rollup_filters_by_area_province_and_product_line(
    forecasting: Forecasting, vendor_admin
):
    world = forecasting.world
    cycle = world.cycle

    east = tables(vendor_admin, RollupFilters(cycle=cycle, area=Area.EAST))["months"][-1]
    beijing = tables(vendor_admin, RollupFilters(cycle=cycle, province="北京"))["months"][-1]
    zhejiang = tables(vendor_admin, RollupFilters(cycle=cycle, province="浙江"))["months"][-1]
    nobody = tables(vendor_admin, RollupFilters(cycle=cycle, area=Area.SOUTHWEST))["months"]
    switches = tables(vendor_admin, RollupFilters(cycle=cycle, product_line=world.switches))

    assert east == ["Total", D("8700.00"), D("9100.00"), D("6484.58"), None, None]
    assert beijing == ["Total", D("3000.75"), D("3000.75"), D("2500.00"), None, None]
    assert zhejiang == ["Total", D("1700.00"), D("2100.00"), D("250.01"), None, None]
    assert nobody == []
    assert switches["national"][-1] == [
        "Total",
        "",
        D("1900.00"),
        D("1900.00"),
        D("250.01"),
        None,
        None,
    ]
    assert {row[1] for row in switches["national"][:-1]} == {"Switches"}


def test_each_user_rolls_up_only_the_partners_they_see(forecasting: Forecasting):
    world = forecasting.world
    cycle = RollupFilters(cycle=world.cycle)

    east = tables(world.east, cycle)["months"][-1]
    north = tables(world.north, cycle)["months"][-1]
    shanghai = tables(world.user(world.shanghai), cycle)["months"][-1]
    finance = tables(make_user(Role.FINANCE), cycle)["months"][-1]

    assert east == ["Total", D("8700.00"), D("9100.00"), D("6484.58"), None, None]
    assert north == ["Total", D("3000.75"), D("3000.75"), D("2500.00"), None, None]
    assert shanghai == ["Total", D("7000.00"), D("7000.00"), D("6234.57"), None, None]
    assert finance == ["Total", D("11700.75"), D("12100.75"), D("8984.58"), None, None]


def test_the_rollup_counts_the_forecasting_partners_only(forecasting: Forecasting, vendor_admin):
    world = forecasting.world

    found = forecast_rollup(user=vendor_admin, filters=RollupFilters(cycle=world.cycle))

    # The straggler's draft (99,999.00) and its deal are left out, as are a draft deal, a
    # rejected one and one closing after the horizon.
    assert found.partners == 3
    assert found.total().forecast == D("11700.75")
    assert found.total().pipeline == D("8984.58")


def test_the_rollup_query_count_does_not_grow_with_partners(forecasting: Forecasting, vendor_admin):
    world = forecasting.world
    filters = RollupFilters(cycle=world.cycle, area=Area.EAST)

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            rollup_tables(forecast_rollup(user=vendor_admin, filters=filters))
        return len(ctx)

    few = count()
    for n in range(3):
        partner, admin = dealer(
            name=f"杭州新增伙伴{n}有限公司", region="浙江", channel_manager=world.east
        )
        partner.product_lines.add(world.routers, world.switches)
        world.users[partner.pk] = admin
        forecast(world, partner, routers=("10.00", "0", "0"))
    many = count()

    assert many == few
    assert few <= 7
