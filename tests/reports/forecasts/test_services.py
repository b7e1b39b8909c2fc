"""The forecast workflow through its services: a partner opens, fills in and submits its
cycle's forecast; its channel manager (or a vendor admin) adjusts lines, sends it back with a
reason or commits it; a committed forecast is frozen. Refused moves and bad figures change
nothing, and each step leaves its history, audit trail and notifications."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from auditlog.context import set_actor
from auditlog.models import LogEntry
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from partners.models import PartnerStatus
from partners.services import partner_set_status
from prm.accounts.roles import Role
from prm.core.models import Notification
from reports.forecast_services import (
    amount_field,
    forecast_adjust,
    forecast_commit,
    forecast_open,
    forecast_return,
    forecast_save,
    forecast_submit,
)
from reports.models import Forecast, ForecastLine, ForecastStatus
from reports.periods import add_months
from tests.factories import make_partner, make_user

from .conftest import World, figures, forecast

pytestmark = pytest.mark.django_db

D = Decimal


def lines_of(f: Forecast) -> list[tuple[str, str, Decimal, Decimal | None]]:
    return [
        (line.product_line.code, f"{line.month:%Y-%m}", line.amount, line.adjusted_amount)
        for line in f.lines.select_related("product_line").order_by("product_line__code", "month")
    ]


def history(f: Forecast) -> list[tuple[str, str, str]]:
    return list(f.status_changes.order_by("pk").values_list("from_status", "to_status", "reason"))


def told(kind: str) -> list[str]:
    return sorted(Notification.objects.filter(kind=kind).values_list("recipient__email", flat=True))


def english_errors(call: object) -> dict[str, list[str]] | list[str]:
    """The ValidationError `call()` raises, read in English."""
    with translation.override("en"), pytest.raises(ValidationError) as caught:
        call()  # type: ignore[operator]
    error = caught.value
    return error.message_dict if hasattr(error, "error_dict") else error.messages


# --- open -------------------------------------------------------------------------------------


def test_opening_makes_a_zero_draft_line_per_authorized_line_and_month_once(world: World):
    months = [f"{m:%Y-%m}" for m in world.months]

    # When Shanghai's admin opens the cycle twice, and Beijing's system draft is opened
    first = forecast_open(
        partner=world.shanghai, cycle=world.cycle, actor=world.user(world.shanghai)
    )
    again = forecast_open(
        partner=world.shanghai, cycle=world.cycle.replace(day=20), actor=world.user(world.shanghai)
    )
    beijing = forecast_open(partner=world.beijing, cycle=world.cycle)

    # Then one draft each, a zero line per product line and month of the horizon
    assert again.pk == first.pk
    assert (first.cycle, first.status) == (world.cycle, ForecastStatus.DRAFT)
    assert lines_of(first) == [
        ("f-routers", months[0], D("0.00"), None),
        ("f-routers", months[1], D("0.00"), None),
        ("f-routers", months[2], D("0.00"), None),
        ("f-switches", months[0], D("0.00"), None),
        ("f-switches", months[1], D("0.00"), None),
        ("f-switches", months[2], D("0.00"), None),
    ]
    assert [line[0] for line in lines_of(beijing)] == ["f-routers"] * 3
    assert history(first) == [("", "draft", "")]
    assert Forecast.objects.filter(partner=world.shanghai).count() == 1

    # And a product line authorized later joins the draft when it is opened again
    world.beijing.product_lines.add(world.switches)
    forecast_open(partner=world.beijing, cycle=world.cycle)
    assert [line[0] for line in lines_of(beijing)] == ["f-routers"] * 3 + ["f-switches"] * 3


def test_partners_open_the_current_cycle_only_and_the_vendor_seed_any(world: World):
    user = world.user(world.shanghai)
    last_month = add_months(world.cycle, -1)

    later = english_errors(
        lambda: forecast_open(partner=world.shanghai, cycle=add_months(world.cycle, 1), actor=user)
    )
    earlier = english_errors(
        lambda: forecast_open(partner=world.shanghai, cycle=last_month, actor=user)
    )
    seeded = forecast_open(partner=world.shanghai, cycle=last_month, any_cycle=True)

    assert later == earlier == {"cycle": ["Partners forecast in the current month only."]}
    assert seeded.cycle == last_month
    assert [f"{line.month:%Y-%m}" for line in seeded.lines.filter(product_line=world.routers)] == [
        f"{m:%Y-%m}" for m in [world.cycle, *world.months[:2]]
    ]


def test_opening_is_refused_to_outsiders_suspended_partners_and_partners_without_lines(
    world: World,
):
    bare = make_partner(region="上海")
    partner_set_status(partner=world.zhejiang, status=PartnerStatus.SUSPENDED, reason="欠款")
    world.zhejiang.refresh_from_db()

    with pytest.raises(PermissionDenied):
        forecast_open(partner=world.shanghai, cycle=world.cycle, actor=world.user(world.beijing))
    with pytest.raises(PermissionDenied):  # a channel manager of other partners
        forecast_open(partner=world.shanghai, cycle=world.cycle, actor=world.north)
    suspended = english_errors(lambda: forecast_open(partner=world.zhejiang, cycle=world.cycle))
    no_lines = english_errors(lambda: forecast_open(partner=bare, cycle=world.cycle))

    assert suspended == ["Only active partners forecast."]
    assert no_lines == [f"{bare.display_name} has no authorized product lines to forecast."]
    assert Forecast.objects.filter(partner__in=[world.shanghai, world.zhejiang, bare]).count() == 0
    # The partner's channel manager and a vendor admin may open it for the partner.
    assert forecast_open(partner=world.shanghai, cycle=world.cycle, actor=world.east).pk


# --- save ---------------------------------------------------------------------------------------


def test_saving_stores_the_figures_and_an_empty_cell_is_zero(world: World):
    user = world.user(world.shanghai)
    draft = forecast_open(partner=world.shanghai, cycle=world.cycle, actor=user)
    amounts: dict = figures(world, routers=("1000.00", "2000.5", "3000"), switches=("1", "0", "9"))
    amounts[(world.switches.pk, world.months[2])] = ""

    with set_actor(user):  # as the request middleware does
        forecast_save(forecast=draft, amounts=amounts, actor=user)

    m = [f"{m:%Y-%m}" for m in world.months]
    assert lines_of(draft) == [
        ("f-routers", m[0], D("1000.00"), None),
        ("f-routers", m[1], D("2000.50"), None),
        ("f-routers", m[2], D("3000.00"), None),
        ("f-switches", m[0], D("1.00"), None),
        ("f-switches", m[1], D("0.00"), None),
        ("f-switches", m[2], D("0.00"), None),
    ]
    # Each changed line is audited with its old and new figure.
    line = draft.lines.get(product_line=world.routers, month=world.months[0])
    event = LogEntry.objects.get_for_object(line).order_by("-timestamp").first()
    assert event is not None
    assert event.actor == user
    assert event.changes_dict["amount"] == ["0.00", "1000.00"]


def test_bad_figures_are_refused_at_their_field_and_nothing_is_saved(world: World):
    user = world.user(world.shanghai)
    draft = forecast(world, world.shanghai, submit=False, routers=("100.00", "0", "0"))
    m1, m2, m3 = world.months
    bad = {
        (world.routers.pk, m1): "999.00",  # valid, but must not be saved alone
        (world.routers.pk, m2): "-1",
        (world.routers.pk, m3): "abc",
        (world.switches.pk, m1): "1.234",
        (world.switches.pk, m2): 1.5,
        (world.switches.pk, m3): "NaN",
        (world.routers.pk, world.cycle): "5",  # not a month of this forecast
    }

    errors = english_errors(lambda: forecast_save(forecast=draft, amounts=bad, actor=user))

    assert errors == {
        amount_field(world.routers.pk, m2): ["A forecast cannot be negative."],
        amount_field(world.routers.pk, m3): ["Enter a number."],
        amount_field(world.switches.pk, m1): [
            "Enter the amount in yuan and fen (two decimals at most)."
        ],
        amount_field(world.switches.pk, m2): ["Enter an exact amount."],
        amount_field(world.switches.pk, m3): ["Enter a number."],
        amount_field(world.routers.pk, world.cycle): [
            "This product line and month are not part of the forecast."
        ],
    }
    assert draft.lines.get(product_line=world.routers, month=m1).amount == D("100.00")
    assert amount_field(world.routers.pk, m2) == f"amount-{world.routers.pk}-{m2:%Y-%m}"


def test_only_the_partners_own_users_change_a_draft_and_only_while_it_is_a_draft(world: World):
    draft = forecast(world, world.shanghai, submit=False, routers=("100.00", "0", "0"))
    colleague = make_user(Role.PARTNER_USER, partner=world.shanghai)
    change = figures(world, routers=("200.00", "0", "0"))

    for outsider in (world.user(world.zhejiang), world.east, make_user(Role.ADMIN)):
        with pytest.raises(PermissionDenied):
            forecast_save(forecast=draft, amounts=change, actor=outsider)
    forecast_save(forecast=draft, amounts=change, actor=colleague)
    forecast_submit(forecast=draft, actor=colleague)
    after_submit = english_errors(
        lambda: forecast_save(
            forecast=draft, amounts=figures(world, routers=("1", "1", "1")), actor=colleague
        )
    )

    assert after_submit == ["Only a draft forecast can be changed."]
    assert draft.lines.get(product_line=world.routers, month=world.months[0]).amount == D("200.00")


# --- submit -------------------------------------------------------------------------------------


def test_submitting_records_who_and_when_and_tells_the_channel_manager(world: World):
    draft = forecast(world, world.shanghai, submit=False, routers=("100.00", "0", "0"))
    user = world.user(world.shanghai)

    with pytest.raises(PermissionDenied):
        forecast_submit(forecast=draft, actor=world.user(world.beijing))
    submitted = forecast_submit(forecast=draft, actor=user)
    twice = english_errors(lambda: forecast_submit(forecast=draft, actor=user))

    saved = Forecast.objects.get(pk=draft.pk)
    assert (saved.status, saved.submitted_by, saved.committed_by) == ("submitted", user, None)
    assert saved.submitted_at is not None
    assert submitted.status == "submitted"
    assert history(saved) == [("", "draft", ""), ("draft", "submitted", "")]
    assert told("forecast.submitted") == [world.east.email]
    assert twice == ["Cannot change status from Submitted to Submitted."]


def test_a_draft_of_a_past_cycle_can_no_longer_be_saved_or_submitted(world: World, clock):
    draft = forecast(world, world.shanghai, submit=False, routers=("100.00", "0", "0"))
    user = world.user(world.shanghai)
    clock["day"] = add_months(world.cycle, 1)
    closed = (
        f"The {world.cycle:%Y-%m} forecast is closed: partners forecast in the current month only."
    )

    assert english_errors(lambda: forecast_submit(forecast=draft, actor=user)) == [closed]
    assert english_errors(
        lambda: forecast_save(
            forecast=draft, amounts=figures(world, routers=("1", "1", "1")), actor=user
        )
    ) == [closed]
    assert Forecast.objects.get(pk=draft.pk).status == "draft"


def test_a_partner_without_an_active_channel_manager_is_decided_by_the_vendor_admins(
    world: World, vendor_admin
):
    world.shanghai.channel_manager = None
    world.shanghai.save(update_fields=["channel_manager"])

    forecast(world, world.shanghai, routers=("100.00", "0", "0"))

    assert vendor_admin.email in told("forecast.submitted")
    assert world.east.email not in told("forecast.submitted")


# --- send back ----------------------------------------------------------------------------------


def test_sending_back_needs_the_partners_manager_and_a_reason_and_tells_the_partner(
    world: World,
):
    submitted = forecast(world, world.shanghai, routers=("100.00", "0", "0"))
    colleague = make_user(Role.PARTNER_USER, partner=world.shanghai)

    for outsider in (world.north, make_user(Role.SALES), colleague):
        with pytest.raises(PermissionDenied):
            forecast_return(forecast=submitted, reason="太低", actor=outsider)
    no_reason = english_errors(
        lambda: forecast_return(forecast=submitted, reason="  ", actor=world.east)
    )
    returned = forecast_return(forecast=submitted, reason="路由器数字太低", actor=world.east)

    assert no_reason == {"reason": ["Say why."]}
    assert returned.status == "draft"
    assert history(submitted)[-1] == ("submitted", "draft", "路由器数字太低")
    assert told("forecast.returned") == [world.user(world.shanghai).email]
    body = Notification.objects.get(kind="forecast.returned").body
    assert body == "路由器数字太低"
    # The partner changes it and submits again.
    user = world.user(world.shanghai)
    forecast_save(forecast=submitted, amounts=figures(world, routers=("150", "0", "0")), actor=user)
    assert forecast_submit(forecast=submitted, actor=user).status == "submitted"


# --- adjust -------------------------------------------------------------------------------------


def _line(f: Forecast, world: World, month_index: int = 0) -> ForecastLine:
    return f.lines.get(product_line=world.routers, month=world.months[month_index])


def test_the_channel_manager_adjusts_a_submitted_line_with_a_note(world: World):
    submitted = forecast(world, world.zhejiang, routers=("800.00", "0", "0"))
    line = _line(submitted, world)

    no_note = english_errors(
        lambda: forecast_adjust(line=line, amount=D("1200.00"), note="", actor=world.east)
    )
    negative = english_errors(
        lambda: forecast_adjust(line=line, amount="-5", note="x", actor=world.east)
    )
    with set_actor(world.east):
        forecast_adjust(line=line, amount=D("1200.00"), note="大客户项目已确认", actor=world.east)
    adjusted = _line(submitted, world)
    # Confirming the partner's own figure changes nothing it counts with: no note needed.
    same = _line(submitted, world, 1)
    forecast_adjust(line=same, amount=D("0.00"), note="", actor=world.east)

    assert no_note == {"note": ["Say why the figure changes."]}
    assert negative == {"adjusted_amount": ["A forecast cannot be negative."]}
    assert (adjusted.amount, adjusted.adjusted_amount, adjusted.final_amount) == (
        D("800.00"),
        D("1200.00"),
        D("1200.00"),
    )
    assert (adjusted.adjusted_by, adjusted.note) == (world.east, "大客户项目已确认")
    assert _line(submitted, world, 1).adjusted_amount == D("0.00")
    event = LogEntry.objects.get_for_object(adjusted).order_by("-timestamp").first()
    assert event is not None
    assert event.actor == world.east
    assert event.changes_dict["adjusted_amount"] == ["None", "1200.00"]

    # Clearing the adjustment goes back to the partner's figure, which is a change again.
    cleared_without_note = english_errors(
        lambda: forecast_adjust(line=adjusted, amount=None, note="", actor=world.east)
    )
    assert cleared_without_note == {"note": ["Say why the figure changes."]}
    forecast_adjust(line=adjusted, amount=None, note="项目推迟", actor=world.east)
    cleared = _line(submitted, world)
    assert (cleared.adjusted_amount, cleared.adjusted_by, cleared.final_amount, cleared.note) == (
        None,
        None,
        D("800.00"),
        "项目推迟",
    )


def test_only_submitted_forecasts_are_adjusted_and_only_by_those_who_decide(
    world: World, vendor_admin
):
    draft = forecast(world, world.zhejiang, submit=False, routers=("800.00", "0", "0"))
    on_draft = english_errors(
        lambda: forecast_adjust(line=_line(draft, world), amount=D("1"), note="x", actor=world.east)
    )
    forecast_submit(forecast=draft, actor=world.user(world.zhejiang))

    for outsider in (world.north, make_user(Role.FINANCE), world.user(world.zhejiang)):
        with pytest.raises(PermissionDenied):
            forecast_adjust(line=_line(draft, world), amount=D("1"), note="x", actor=outsider)
    forecast_adjust(
        line=_line(draft, world), amount=D("900.00"), note="管理员调整", actor=vendor_admin
    )

    assert on_draft == ["Only a submitted forecast can be adjusted."]
    assert _line(draft, world).final_amount == D("900.00")


# --- commit -------------------------------------------------------------------------------------


def test_committing_freezes_the_forecast_and_tells_the_partner(world: World, vendor_admin):
    submitted = forecast(world, world.beijing, routers=("1500.50", "1500.25", "0"))
    user = world.user(world.beijing)

    with pytest.raises(PermissionDenied):
        forecast_commit(forecast=submitted, actor=world.east)  # not Beijing's manager
    committed = forecast_commit(forecast=submitted, actor=world.north)

    saved = Forecast.objects.get(pk=submitted.pk)
    assert (committed.status, saved.status, saved.committed_by) == (
        "committed",
        "committed",
        world.north,
    )
    assert saved.committed_at is not None
    assert told("forecast.committed") == [user.email]
    # Frozen: no figure, adjustment or move changes it any more.
    frozen = [
        english_errors(lambda: forecast_save(forecast=saved, amounts={}, actor=user)),
        english_errors(
            lambda: forecast_adjust(
                line=_line(saved, world), amount=D("1"), note="x", actor=vendor_admin
            )
        ),
        english_errors(lambda: forecast_return(forecast=saved, reason="再改", actor=vendor_admin)),
        english_errors(lambda: forecast_commit(forecast=saved, actor=vendor_admin)),
        english_errors(lambda: forecast_submit(forecast=saved, actor=user)),
    ]
    assert frozen == [
        ["Only a draft forecast can be changed."],
        ["Only a submitted forecast can be adjusted."],
        ["Cannot change status from Committed to Draft."],
        ["Cannot change status from Committed to Committed."],
        ["Cannot change status from Committed to Submitted."],
    ]
    assert history(saved) == [
        ("", "draft", ""),
        ("draft", "submitted", ""),
        ("submitted", "committed", ""),
    ]
    assert _line(saved, world).amount == D("1500.50")


def test_sending_back_drops_the_adjustments_and_is_refused_once_the_cycle_is_over(
    world: World, clock: dict[str, Any]
):
    submitted = forecast(world, world.shanghai, routers=("100.00", "0", "0"))
    line = submitted.lines.get(product_line=world.routers, month=world.months[0])
    forecast_adjust(line=line, amount="80.00", note="按出货节奏", actor=world.east)

    returned = forecast_return(forecast=submitted, reason="请重报", actor=world.east)
    line.refresh_from_db()
    assert returned.status == "draft"
    assert (line.adjusted_amount, line.adjusted_by, line.note) == (None, None, "")

    user = world.user(world.shanghai)
    forecast_submit(forecast=submitted, actor=user)
    clock["day"] = world.months[0]  # the cycle's month is over
    refused = english_errors(
        lambda: forecast_return(forecast=submitted, reason="太晚了", actor=world.east)
    )
    assert refused == [
        f"The {world.cycle:%Y-%m} cycle is over: commit the forecast, adjusting it first if needed."
    ]
    assert forecast_commit(forecast=submitted, actor=world.east).status == "committed"
