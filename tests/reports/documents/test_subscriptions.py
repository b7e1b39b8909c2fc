"""Subscribing to a report: filters checked by building the report once as the subscriber
(bad ones refused at the field, nothing saved), reports allowed by role, only one's own
subscriptions changed, paused or deleted, every change in the audit trail."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from prm.core.audit import audit_events_for
from reports.documents import BUILDERS
from reports.models import Frequency, ReportKind, ReportSubscription
from reports.subscriptions import (
    kinds_offered,
    query_clean,
    schedule_text,
    subscription_create,
    subscription_delete,
    subscription_get_own,
    subscription_pause,
    subscription_resume,
    subscription_update,
    subscriptions_of,
)
from tests.reports.cockpit_fixture import Channel

pytestmark = pytest.mark.django_db


def refused(fn: Any, **kwargs: Any) -> dict[str, list[str]]:
    with translation.override("en"):
        with pytest.raises(ValidationError) as caught:
            fn(**kwargs)
        return caught.value.message_dict


def weekly(user: Any, kind: str = ReportKind.COCKPIT, query: str = "", **kw: Any) -> Any:
    return subscription_create(
        user=user, kind=kind, frequency=Frequency.WEEKLY, weekday=0, query=query, **kw
    )


def test_query_clean_keeps_filters_only():
    raw = (
        "?period=quarter&on=2026-11-15&export=csv&table=trend&page=2&province=&area=east&year=2025"
    )

    assert query_clean(raw) == "area=east&period=quarter"
    assert query_clean("tier=3&tier=4&cycle=2026-11") == "tier=3&tier=4"
    assert query_clean("") == ""


def test_a_vendor_subscribes_to_the_cockpit_with_its_filters(channel: Channel, vendor_admin: Any):
    subscription = weekly(
        vendor_admin, query="period=quarter&area=east&on=2026-11-15&export=csv", day_of_month=9
    )

    subscription.refresh_from_db()
    assert (
        subscription.user,
        subscription.kind,
        subscription.frequency,
        subscription.weekday,
        subscription.day_of_month,
        subscription.query,
        subscription.is_active,
        subscription.last_sent_on,
    ) == (vendor_admin, "cockpit", "weekly", 0, 1, "area=east&period=quarter", True, None)
    assert [e.action for e in audit_events_for(subscription)] == [0]  # created
    with translation.override("en"):
        assert schedule_text(subscription) == "Every Monday"


def test_monthly_keeps_the_day_of_month_only(channel: Channel, vendor_admin: Any):
    subscription = subscription_create(
        user=vendor_admin,
        kind=ReportKind.COCKPIT,
        frequency=Frequency.MONTHLY,
        weekday=4,
        day_of_month=28,
    )

    assert (subscription.weekday, subscription.day_of_month) == (0, 28)
    with translation.override("en"):
        assert schedule_text(subscription) == "Monthly on day 28"


def test_bad_filters_are_refused_at_the_filters_field(channel: Channel, people: dict[str, Any]):
    bad_value = refused(weekly, user=people["finance"], query="period=decade")
    hidden_partner = refused(
        weekly, user=people["manager"], kind="scoreboard", query=f"partner={channel.east.pk}"
    )
    too_long = refused(weekly, user=people["finance"], query="area=east&" + "tier=1&" * 80)
    out_of_range = refused(
        subscription_create,
        user=people["finance"],
        kind="cockpit",
        frequency="monthly",
        day_of_month=31,
    )

    assert bad_value == {
        "query": ["Period: Select a valid choice. decade is not one of the available choices."]
    }
    assert hidden_partner == {
        "query": ["These filters name a partner or a record you may not see."]
    }
    assert too_long == {"query": ["Too many filters (at most 500 characters)."]}
    assert out_of_range == {"day_of_month": ["Ensure this value is less than or equal to 28."]}
    assert not ReportSubscription.objects.exists()


def test_partner_users_may_receive_only_their_scoreboard(
    channel: Channel, people: dict[str, Any], scoreboard: None
):
    user = people["east_admin"]

    cockpit = refused(weekly, user=user)
    forecast = refused(weekly, user=user, kind="forecast")
    subscription = weekly(user, kind="scoreboard", query=f"partner={channel.south.pk}")

    assert kinds_offered(user) == ["scoreboard"]
    assert cockpit == forecast == {"kind": ["You may not receive this report."]}
    assert subscription.kind == "scoreboard"  # the builder shows east's own, whatever it names


def test_a_report_without_a_builder_is_not_offered(
    channel: Channel, vendor_admin: Any, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.delitem(BUILDERS, "forecast", raising=False)

    assert "forecast" not in kinds_offered(vendor_admin)
    assert refused(weekly, user=vendor_admin, kind="forecast") == {
        "kind": ["This report cannot be printed or sent yet."]
    }
    assert refused(weekly, user=vendor_admin, kind="payroll") == {"kind": ["Unknown report."]}


def test_inactive_people_cannot_subscribe(channel: Channel, people: dict[str, Any]):
    people["finance"].is_active = False
    with pytest.raises(PermissionDenied):
        weekly(people["finance"])


def test_the_owner_changes_pauses_resumes_and_deletes_it(channel: Channel, vendor_admin: Any):
    subscription = weekly(vendor_admin, query="area=east")

    changed = subscription_update(
        user=vendor_admin,
        subscription_id=subscription.pk,
        frequency=Frequency.MONTHLY,
        day_of_month=5,
        query="province=广东&on=2026-01-01",
    )
    paused = subscription_pause(user=vendor_admin, subscription_id=subscription.pk)
    resumed_state = paused.is_active
    resumed = subscription_resume(user=vendor_admin, subscription_id=subscription.pk)

    assert (changed.kind, changed.frequency, changed.day_of_month, changed.query) == (
        "cockpit",
        "monthly",
        5,
        "province=%E5%B9%BF%E4%B8%9C",
    )
    assert (resumed_state, resumed.is_active) == (False, True)
    assert len(audit_events_for(subscription)) == 4  # created, changed, paused, resumed
    subscription_delete(user=vendor_admin, subscription_id=subscription.pk)
    assert not ReportSubscription.objects.exists()


def test_bad_filters_on_change_leave_it_as_it_was(channel: Channel, vendor_admin: Any):
    subscription = weekly(vendor_admin, query="area=east")

    errors = refused(
        subscription_update,
        user=vendor_admin,
        subscription_id=subscription.pk,
        frequency=Frequency.MONTHLY,
        day_of_month=5,
        query="area=atlantis",
    )

    subscription.refresh_from_db()
    assert list(errors) == ["query"]
    assert (subscription.frequency, subscription.query) == ("weekly", "area=east")


def test_nobody_else_reaches_a_subscription(channel: Channel, people: dict[str, Any]):
    mine = weekly(people["finance"], query="area=east")
    other = people["manager"]

    assert list(subscriptions_of(other)) == []
    for action in (subscription_pause, subscription_resume, subscription_delete):
        with pytest.raises(ReportSubscription.DoesNotExist):
            action(user=other, subscription_id=mine.pk)
    with pytest.raises(ReportSubscription.DoesNotExist):
        subscription_update(
            user=other, subscription_id=mine.pk, frequency="weekly", weekday=3, query=""
        )
    with pytest.raises(ReportSubscription.DoesNotExist):
        subscription_get_own(user=other, pk=mine.pk)

    mine.refresh_from_db()
    assert (mine.is_active, mine.weekday, mine.query) == (True, 0, "area=east")
