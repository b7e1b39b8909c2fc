"""Forecast accuracy once actuals arrive: counted orders back-dated into the forecast months,
the rollups rebuilt, then accuracy per partner and month and per area (summed F and A, the
worked example of docs/forecasting.md), and the roll-up's actual column."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.utils import translation

from orders.workflow import order_cancel
from reports.forecast_rollup import (
    RollupFilters,
    accuracy,
    accuracy_tables,
    forecast_months,
    forecast_rollup,
    forecasts_for,
    rollup_tables,
)
from reports.periods import add_months
from reports.rollups import rollups_rebuild
from tests.factories import make_order

from .conftest import SHANGHAI, Forecasting, placed

pytestmark = pytest.mark.django_db

D = Decimal
DOC = Path(__file__).resolve().parents[3] / "docs" / "forecasting.md"


@pytest.fixture
def actuals(forecasting: Forecasting, vendor_admin: Any) -> Forecasting:
    """Counted orders in the forecast months (M1, M2, M3), and some that must not count."""
    world = forecasting.world
    m1, m2, m3 = world.months
    router, switch = world.router, world.switch
    placed(world.shanghai, (router, 1), on=m1.replace(day=3), admin=vendor_admin)
    placed(world.zhejiang, (router, 1), (switch, 1), on=m1.replace(day=28), admin=vendor_admin)
    placed(world.shanghai, (router, 3), on=m2.replace(day=1), admin=vendor_admin)
    placed(world.beijing, (router, 1), on=m2.replace(day=14), admin=vendor_admin)
    placed(world.zhejiang, (switch, 1), on=m3.replace(day=20), admin=vendor_admin)
    # Not counted: another partner's order, a cancelled one, one in the cycle's own month.
    placed(forecasting.straggler, (router, 5), on=m1.replace(day=5), admin=vendor_admin)
    cancelled = make_order(world.shanghai, (router, 7))
    order_cancel(order=cancelled, actor=vendor_admin, reason="测试取消")
    type(cancelled).objects.filter(pk=cancelled.pk).update(created_at=placed_at(m1))
    placed(world.shanghai, (router, 2), on=world.cycle.replace(day=2), admin=vendor_admin)
    rollups_rebuild()
    return forecasting


def placed_at(month: date) -> datetime:
    return datetime(month.year, month.month, 9, 10, 0, tzinfo=SHANGHAI)


def english_tables(user: Any, filters: RollupFilters) -> dict[str, list[list[Any]]]:
    with translation.override("en"):
        rows = forecast_months(forecasts_for(user, filters), product_line=filters.product_line)
        return {t.key: t.rows for t in accuracy_tables(rows)}


def test_accuracy_is_one_minus_the_relative_error_never_below_zero():
    assert accuracy(D("100.00"), D("80.00")) == D("0.7500")
    assert accuracy(D("60.00"), D("80.00")) == D("0.7500")
    assert accuracy(D("80.00"), D("80.00")) == D("1.0000")
    assert accuracy(D("200.00"), D("80.00")) == D("0.0000")  # 1 - 1.5, floored at 0
    assert accuracy(D("1500.25"), D("1000.00")) == D("0.4998")  # 0.49975, half-up
    assert accuracy(D("0.00"), D("0.00")) == D("1.0000")
    assert accuracy(D("0.01"), D("0.00")) == D("0.0000")


def test_accuracy_per_partner_and_area_after_the_months_are_over(
    actuals: Forecasting, vendor_admin, clock
):
    world = actuals.world
    m1, m2, m3 = (f"{m:%Y-%m}" for m in world.months)
    clock["day"] = add_months(world.cycle, 4)

    found = english_tables(vendor_admin, RollupFilters(cycle=world.cycle))

    # Final forecast (with Zhejiang's adjustment) against counted orders, per partner-month.
    beijing, shanghai, zhejiang = (
        [p.name, province, area]
        for p, province, area in (
            (world.beijing, "Beijing", "North China"),
            (world.shanghai, "Shanghai", "East China"),
            (world.zhejiang, "Zhejiang", "East China"),
        )
    )
    # By area, province, partner: as the area table below reads.
    assert found["forecast-accuracy-partners"] == [
        [*beijing, m1, D("1500.50"), D("0.00"), D("0.0000")],
        [*beijing, m2, D("1500.25"), D("1000.00"), D("0.4998")],
        [*beijing, m3, D("0.00"), D("0.00"), D("1.0000")],
        [*shanghai, m1, D("1500.00"), D("1000.00"), D("0.5000")],
        [*shanghai, m2, D("2500.00"), D("3000.00"), D("0.8333")],
        [*shanghai, m3, D("3000.00"), D("0.00"), D("0.0000")],
        [*zhejiang, m1, D("1400.00"), D("1250.00"), D("0.8800")],
        [*zhejiang, m2, D("300.00"), D("0.00"), D("0.0000")],
        [*zhejiang, m3, D("400.00"), D("250.00"), D("0.4000")],
    ]
    # Areas and the nation sum F and A: East M1 is 1 - 650 / 2250, not (0.50 + 0.88) / 2.
    assert found["forecast-accuracy-areas"] == [
        ["North China", m1, D("1500.50"), D("0.00"), D("0.0000")],
        ["North China", m2, D("1500.25"), D("1000.00"), D("0.4998")],
        ["North China", m3, D("0.00"), D("0.00"), D("1.0000")],
        ["East China", m1, D("2900.00"), D("2250.00"), D("0.7111")],
        ["East China", m2, D("2800.00"), D("3000.00"), D("0.9333")],
        ["East China", m3, D("3400.00"), D("250.00"), D("0.0000")],
        ["National", m1, D("4400.50"), D("2250.00"), D("0.0442")],
        ["National", m2, D("4300.25"), D("4000.00"), D("0.9249")],
        ["National", m3, D("3400.00"), D("250.00"), D("0.0000")],
    ]


def test_the_worked_example_of_the_docs_is_what_the_code_computes(actuals, vendor_admin, clock):
    world = actuals.world
    clock["day"] = add_months(world.cycle, 2)  # the first month is over

    found = english_tables(vendor_admin, RollupFilters(cycle=world.cycle, area="east"))
    text = DOC.read_text(encoding="utf-8")

    partners = {(r[0], r[3]): r[4:] for r in found["forecast-accuracy-partners"]}
    month = f"{world.months[0]:%Y-%m}"
    assert partners == {
        (world.shanghai.name, month): [D("1500.00"), D("1000.00"), D("0.5000")],
        (world.zhejiang.name, month): [D("1400.00"), D("1250.00"), D("0.8800")],
    }
    assert found["forecast-accuracy-areas"][0] == [
        "East China",
        month,
        D("2900.00"),
        D("2250.00"),
        D("0.7111"),
    ]
    for figure in ("1,500.00", "1,000.00", "50.00 %", "1,400.00", "1,250.00", "88.00 %"):
        assert figure in text
    for figure in ("2,900.00", "2,250.00", "71.11 %", "69.00 %"):
        assert figure in text


def test_the_rollup_shows_actuals_and_accuracy_for_the_months_that_are_over(
    actuals: Forecasting, vendor_admin, clock
):
    world = actuals.world
    m1, m2, m3 = (f"{m:%Y-%m}" for m in world.months)

    def months_table() -> list[list[Any]]:
        with translation.override("en"):
            built = rollup_tables(
                forecast_rollup(user=vendor_admin, filters=RollupFilters(cycle=world.cycle))
            )
        return [*built[0].rows, built[0].footer or []]

    clock["day"] = add_months(world.cycle, 2)
    first_over = months_table()
    clock["day"] = add_months(world.cycle, 4)
    all_over = months_table()
    with translation.override("en"):
        national = rollup_tables(
            forecast_rollup(user=vendor_admin, filters=RollupFilters(cycle=world.cycle))
        )[1].rows

    # The total's accuracy compares the final forecast of the months that are over only.
    assert first_over == [
        [m1, D("4000.50"), D("4400.50"), D("6234.57"), D("2250.00"), D("0.0442")],
        [m2, D("4300.25"), D("4300.25"), D("2750.01"), None, None],
        [m3, D("3400.00"), D("3400.00"), D("0"), None, None],
        ["Total", D("11700.75"), D("12100.75"), D("8984.58"), D("2250.00"), D("0.0442")],
    ]
    assert all_over[-1] == [
        "Total",
        D("11700.75"),
        D("12100.75"),
        D("8984.58"),
        D("6500.00"),
        D("0.1383"),
    ]
    assert [row[:2] + row[5:] for row in national] == [
        [m1, "Routers", D("2000.00"), D("0.1498")],
        [m1, "Switches", D("250.00"), D("0.0000")],
        [m2, "Routers", D("4000.00"), D("0.8751")],
        [m2, "Switches", D("0.00"), D("0.0000")],
        [m3, "Routers", D("0.00"), D("0.0000")],
        [m3, "Switches", D("250.00"), D("0.4000")],
    ]
