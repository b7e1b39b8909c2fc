"""The monthly job (drafts on the 1st, reminders on the 5th, safe to run twice), the admin
pages, and the roll-up as a printable document."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.http import QueryDict
from django.urls import reverse
from django.utils import translation

from partners.models import PartnerStatus
from partners.services import partner_set_status
from prm.accounts.roles import Role
from prm.core.models import Notification
from reports.forecast_document import forecast_document
from reports.forecast_services import forecast_submit
from reports.forecast_tasks import forecasts_monthly
from reports.models import Forecast, ForecastStatus
from tests.factories import make_user

from .conftest import Forecasting, World
from .pages import english

pytestmark = pytest.mark.django_db

D = Decimal


def _day(world: World, day: int) -> str:
    return world.cycle.replace(day=day).isoformat()


def told(kind: str) -> list[str]:
    return sorted(Notification.objects.filter(kind=kind).values_list("recipient__email", flat=True))


def test_on_the_first_drafts_open_for_active_partners_and_their_admins_are_told(
    world: World, clock
):
    clock["day"] = world.cycle
    colleague = make_user(Role.PARTNER_USER, partner=world.shanghai)  # not an admin: not told
    partner_set_status(partner=world.beijing, status=PartnerStatus.SUSPENDED, reason="欠款")

    first = forecasts_monthly(_day(world, 1))
    again = forecasts_monthly(_day(world, 1))
    other_day = forecasts_monthly(_day(world, 2))

    admins = sorted(world.user(p).email for p in (world.shanghai, world.zhejiang))
    assert first == {"partners": 2, "told": 2}
    assert again == {"partners": 2, "told": 0}
    assert other_day == {"partners": 0, "told": 0}
    assert told("forecast.opened") == admins
    assert colleague.email not in told("forecast.opened")
    assert sorted(Forecast.objects.values_list("partner__name", "status")) == sorted(
        [(world.shanghai.name, "draft"), (world.zhejiang.name, "draft")]
    )
    with translation.override("en"):
        title = Notification.objects.filter(kind="forecast.opened").first()
    assert title is not None
    assert f"{world.cycle:%Y-%m}" in title.title


def test_on_the_fifth_only_partners_that_have_not_submitted_are_reminded(world: World, clock):
    clock["day"] = world.cycle.replace(day=5)
    forecasts_monthly(_day(world, 1))
    submitted = Forecast.objects.get(partner=world.zhejiang)
    forecast_submit(forecast=submitted, actor=world.user(world.zhejiang))

    reminded = forecasts_monthly(_day(world, 5))
    twice = forecasts_monthly(_day(world, 5))

    assert reminded == {"partners": 3, "told": 2}
    assert twice["told"] == 0
    assert told("forecast.reminder") == sorted(
        world.user(p).email for p in (world.shanghai, world.beijing)
    )
    assert Forecast.objects.get(partner=world.zhejiang).status == ForecastStatus.SUBMITTED


def test_a_replayed_day_of_another_month_does_nothing(world: World, clock):
    clock["day"] = world.cycle.replace(day=10)
    assert forecasts_monthly("2001-01-01") == {"partners": 0, "told": 0}
    assert Forecast.objects.count() == 0


def test_the_admin_lists_filters_and_searches_forecasts(forecasting: Forecasting, vendor_admin):
    client = english(vendor_admin)
    url = reverse("admin:reports_forecast_changelist")
    world = forecasting.world

    listing = client.get(url)
    submitted = client.get(url, {"status__exact": "submitted"})
    by_cycle = client.get(url, {"cycle": world.cycle.isoformat()})
    searched = client.get(url, {"q": "之江"})
    change = client.get(reverse("admin:reports_forecast_change", args=[forecasting.zhejiang.pk]))
    add = client.get(reverse("admin:reports_forecast_add"))

    assert listing.status_code == 200
    assert listing.context["cl"].result_count == 4
    assert submitted.context["cl"].result_count == 2
    assert by_cycle.context["cl"].result_count == 4
    assert [f.partner for f in searched.context["cl"].result_list] == [world.zhejiang]
    assert change.status_code == 200
    assert "大客户项目已确认".encode() in change.content  # the line's note, inline
    assert b"history" in change.content  # the audit history link
    assert add.status_code == 403


def test_the_document_holds_the_rollup_for_the_users_filters_and_visibility(
    forecasting: Forecasting, vendor_admin
):
    world = forecasting.world
    with translation.override("en"):
        everything = forecast_document(vendor_admin, QueryDict(""))
        east = forecast_document(world.east, QueryDict(f"product_line={world.routers.pk}"))

    assert everything.title == "Forecast roll-up"
    assert everything.subtitle.startswith(f"Cycle {world.cycle:%Y-%m}")
    assert [(f.label, f.value) for f in everything.figures] == [
        ("Partners forecasting", "3"),
        ("Partners' forecast", "¥11,700.75"),
        ("Final forecast", "¥12,100.75"),
        ("Weighted pipeline", "¥8,984.58"),
        ("Actual ordered", "—"),
    ]
    assert [t.key for t in everything.tables] == [
        "forecast-months",
        "forecast-national",
        "forecast-areas",
        "forecast-provinces",
    ]
    assert "Routers" in east.subtitle
    assert [(f.label, f.value) for f in east.figures][:3] == [
        ("Partners forecasting", "2"),
        ("Partners' forecast", "¥6,800.00"),
        ("Final forecast", "¥7,200.00"),
    ]
    assert {row[0] for row in east.tables[2].rows} == {"East China"}
