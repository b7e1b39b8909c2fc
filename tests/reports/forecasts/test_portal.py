"""The partner portal's forecast pages over HTTP: start this month's forecast, fill in the
grid (bad figures refused at their cell, nothing saved), save and submit; the history of past
cycles with final figures, actuals and accuracy, and its downloads."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from prm.accounts.roles import Role
from prm.core.models import Notification
from reports.forecast_services import amount_field, forecast_open
from reports.models import Forecast, ForecastStatus
from reports.periods import add_months
from reports.rollups import rollups_rebuild
from tests.factories import make_user

from .conftest import Forecasting, World, placed
from .pages import csv_rows, english, flashed, table_rows

pytestmark = pytest.mark.django_db

D = Decimal
HOME = "/portal/forecasts/"


def test_a_partner_starts_fills_in_and_submits_this_months_forecast(world: World):
    user = make_user(Role.PARTNER_USER, partner=world.zhejiang)
    client = english(user)
    m1, m2, m3 = world.months

    before = client.get(HOME)
    opened = client.post(reverse("portal_forecasts:open"), follow=True)
    f = Forecast.objects.get(partner=world.zhejiang, cycle=world.cycle)
    save = reverse("portal_forecasts:save", args=[f.pk])
    grid = client.get(HOME)

    def field(line, month):
        return amount_field(line.pk, month)

    values = {field(line, m): "" for line in (world.routers, world.switches) for m in (m1, m2, m3)}
    refused = client.post(
        save,
        {**values, field(world.routers, m1): "800", field(world.switches, m2): "-3", "save": ""},
    )
    after_refused = f.lines.get(product_line=world.routers, month=m1).amount
    saved = client.post(
        save,
        {**values, field(world.routers, m1): "800", field(world.switches, m2): "300.5", "save": ""},
        follow=True,
    )
    submitted = client.post(
        save,
        {
            **values,
            field(world.routers, m1): "850",
            field(world.switches, m2): "300.5",
            "submit": "",
        },
        follow=True,
    )

    assert before.context["can_open"] is True
    assert before.context["forecast"] is None
    assert flashed(opened) == [f"Your {world.cycle:%Y-%m} forecast is ready to fill in."]
    assert f'name="{field(world.switches, m3)}"'.encode() in grid.content
    assert [row.product_line for row in grid.context["grid"]] == [world.routers, world.switches]
    # The bad cell is marked with its message; nothing was saved.
    assert refused.status_code == 200
    assert refused.context["form"].errors == {
        field(world.switches, m2): ["A forecast cannot be negative."]
    }
    assert b"is-invalid" in refused.content
    assert b"A forecast cannot be negative." in refused.content
    assert after_refused == D("0.00")
    assert flashed(saved) == ["Your forecast was saved as a draft."]
    assert flashed(submitted) == ["Your forecast was submitted to your channel manager."]
    f.refresh_from_db()
    assert (f.status, f.submitted_by) == (ForecastStatus.SUBMITTED, user)
    assert f.lines.get(product_line=world.routers, month=m1).amount == D("850.00")
    assert f.lines.get(product_line=world.switches, month=m2).amount == D("300.50")
    assert Notification.objects.filter(kind="forecast.submitted", recipient=world.east).count() == 1
    # Submitted: the grid gives way to the figures, read only.
    after = client.get(HOME)
    assert after.context["form"] is None
    assert table_rows(after, f"forecast-{world.cycle:%Y-%m}-lines")[0][:4] == [
        "Routers",
        f"{m1:%Y-%m}",
        D("850.00"),
        None,  # the final figure shows once committed
    ]
    # Saving a submitted forecast is refused with a message, not a grid.
    again = client.post(save, {**values, "save": ""}, follow=True)
    assert flashed(again) == ["Only a draft forecast can be changed."]


def test_a_refused_submit_keeps_nothing_of_the_save(world: World, clock):
    """The submit is refused (the cycle closed meanwhile): the figures typed stay unsaved."""
    client = english(world.user(world.beijing))
    client.post(reverse("portal_forecasts:open"), follow=True)
    f = Forecast.objects.get(partner=world.beijing)
    clock["day"] = add_months(world.cycle, 1)
    field = amount_field(world.routers.pk, world.months[0])

    response = client.post(
        reverse("portal_forecasts:save", args=[f.pk]), {field: "10", "submit": ""}, follow=True
    )

    assert flashed(response) == [
        f"The {world.cycle:%Y-%m} forecast is closed: partners forecast in the current month only."
    ]
    assert f.lines.get(product_line=world.routers, month=world.months[0]).amount == D("0.00")
    assert Forecast.objects.get(pk=f.pk).status == ForecastStatus.DRAFT


def test_a_sent_back_forecast_shows_the_reason(forecasting: Forecasting):
    from reports.forecast_services import forecast_return

    world = forecasting.world
    forecast_return(forecast=forecasting.zhejiang, reason="交换机偏低，请复核", actor=world.east)

    page = english(world.user(world.zhejiang)).get(HOME)

    assert page.context["sent_back"].reason == "交换机偏低，请复核"
    assert "交换机偏低，请复核".encode() in page.content
    assert page.context["form"] is not None


def test_the_history_shows_final_figures_actuals_and_accuracy(
    forecasting: Forecasting, vendor_admin, clock
):
    world = forecasting.world
    m1, m2, m3 = world.months
    placed(world.shanghai, (world.router, 1), on=m1.replace(day=3), admin=vendor_admin)
    placed(
        world.zhejiang,
        (world.router, 1),
        (world.switch, 1),
        on=m1.replace(day=28),
        admin=vendor_admin,
    )
    rollups_rebuild()
    clock["day"] = add_months(world.cycle, 2)  # M1 is over; this cycle is history now
    cycle = f"{world.cycle:%Y-%m}"

    shanghai = english(world.user(world.shanghai))
    zhejiang = english(world.user(world.zhejiang))
    shanghai_page = shanghai.get(HOME)
    zhejiang_page = zhejiang.get(HOME)
    download = shanghai.get(HOME, {"export": "csv", "table": "forecast-history"})
    detail = zhejiang.get(reverse("portal_forecasts:detail", args=[forecasting.zhejiang.pk]))

    # Committed: the final figures. Submitted only: the partner's own figures (Zhejiang's
    # adjustment to 1,200.00 stays with the vendor until committed).
    assert table_rows(shanghai_page, "forecast-history") == [
        [cycle, f"{m1:%Y-%m}", "Committed", D("1500.00"), D("1500.00"), D("1000.00"), D("0.5000")],
        [cycle, f"{m2:%Y-%m}", "Committed", D("2500.00"), D("2500.00"), None, None],
        [cycle, f"{m3:%Y-%m}", "Committed", D("3000.00"), D("3000.00"), None, None],
    ]
    assert table_rows(zhejiang_page, "forecast-history")[0] == [
        cycle,
        f"{m1:%Y-%m}",
        "Submitted",
        D("1000.00"),
        D("1000.00"),
        D("1250.00"),
        D("0.8000"),
    ]
    assert csv_rows(download) == [
        [
            "Cycle",
            "Month",
            "Status",
            "Your forecast",
            "Final forecast",
            "Actual ordered",
            "Accuracy",
        ],
        [cycle, f"{m1:%Y-%m}", "Committed", "1500.00", "1500.00", "1000.00", "0.5000"],
        [cycle, f"{m2:%Y-%m}", "Committed", "2500.00", "2500.00", "", ""],
        [cycle, f"{m3:%Y-%m}", "Committed", "3000.00", "3000.00", "", ""],
    ]
    assert shanghai_page.context["forecast"] is None  # nothing opened in the new cycle yet
    assert table_rows(detail, f"forecast-{cycle}-lines")[0] == [
        "Routers",
        f"{m1:%Y-%m}",
        D("800.00"),
        None,
        D("0"),
        D("1000.00"),
    ]


def test_the_portal_page_costs_the_same_for_1_and_4_past_cycles(world: World, clock):
    user = world.user(world.shanghai)
    client = english(user)

    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(HOME).status_code == 200
        return len(ctx)

    # The oldest first: its months are over, so actuals are read from the start.
    forecast_open(partner=world.shanghai, cycle=add_months(world.cycle, -4), any_cycle=True)
    client.post(reverse("portal_forecasts:open"))
    few = queries()
    for back in (1, 2, 3):
        forecast_open(partner=world.shanghai, cycle=add_months(world.cycle, -back), any_cycle=True)
    many = queries()

    assert many == few
    assert few <= 16
