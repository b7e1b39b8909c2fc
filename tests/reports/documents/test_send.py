"""The hourly job: from 07:00 vendor time (Asia/Shanghai here, whatever the server's clock
says), each subscription due that day is built as its owner, in the owner's language, printed
and mailed once with the PDF attached; paused ones, deactivated people and terminated partners'
users get nothing; a failed send is released and sent by the next run."""

from __future__ import annotations

import smtplib
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.core.mail import EmailMessage
from django.utils import translation

from partners.models import PartnerStatus
from partners.services import partner_set_status
from prm.core.models import Notification
from reports.models import Frequency, ReportSubscription
from reports.subscription_tasks import subscriptions_send
from reports.subscriptions import subscriptions_due, subscriptions_send_due
from tests.pdf import pdf_text
from tests.reports.cockpit_fixture import Channel

pytestmark = pytest.mark.django_db

UTC = ZoneInfo("UTC")
# Monday 2026-11-16 07:30 in Shanghai is still Sunday 23:30 in UTC.
MONDAY_0730 = datetime(2026, 11, 15, 23, 30, tzinfo=UTC)


def subscribe(user: Any, kind: str = "cockpit", query: str = "", **schedule: Any) -> Any:
    """A subscription saved as the service saves it (its filters were checked then)."""
    schedule = schedule or {"frequency": Frequency.WEEKLY, "weekday": 0}
    return ReportSubscription.objects.create(user=user, kind=kind, query=query, **schedule)


def run(now: datetime) -> list[Any]:
    mail.outbox.clear()
    subscriptions_send_due(now=now)
    return list(mail.outbox)


def attachment_text(message: Any) -> str:
    ((name, content, mimetype),) = message.attachments
    assert mimetype == "application/pdf"
    assert name.endswith(".pdf")
    return pdf_text(content).replace("\n", " ")


def test_due_follows_the_vendors_calendar(channel: Channel, vendor_admin: Any):
    monday = subscribe(vendor_admin)
    sunday = subscribe(vendor_admin, weekday=6, frequency="weekly")
    day_16 = subscribe(vendor_admin, frequency="monthly", day_of_month=16)
    day_15 = subscribe(vendor_admin, frequency="monthly", day_of_month=15)
    sent_today = subscribe(vendor_admin, frequency="monthly", day_of_month=16)
    sent_today.last_sent_on = date(2026, 11, 16)
    sent_today.save()
    sent_last_month = subscribe(vendor_admin, frequency="monthly", day_of_month=16)
    sent_last_month.last_sent_on = date(2026, 10, 16)
    sent_last_month.save()

    due = set(subscriptions_due(today=date(2026, 11, 16)))
    due_sunday = set(subscriptions_due(today=date(2026, 11, 15)))

    assert due == {monday, day_16, sent_last_month}
    assert due_sunday == {sunday, day_15}


@pytest.mark.parametrize(
    ("now", "sent"),
    [
        (datetime(2026, 11, 15, 22, 59, tzinfo=UTC), 0),  # Monday 06:59 in Shanghai: not yet
        (datetime(2026, 11, 15, 23, 0, tzinfo=UTC), 1),  # Monday 07:00 in Shanghai
        (MONDAY_0730, 1),  # Sunday in UTC, Monday in Shanghai
        (datetime(2026, 11, 16, 15, 59, tzinfo=UTC), 1),  # Monday 23:59 in Shanghai
        (datetime(2026, 11, 16, 16, 0, tzinfo=UTC), 0),  # Tuesday 00:00 in Shanghai
        (datetime(2026, 11, 16, 23, 0, tzinfo=UTC), 0),  # Tuesday 07:00: not Monday's any more
    ],
)
def test_a_weekly_report_goes_on_the_vendors_monday_from_seven(
    channel: Channel, vendor_admin: Any, now: datetime, sent: int
):
    subscribe(vendor_admin)

    assert len(run(now)) == sent


def test_a_monthly_report_goes_on_its_day_across_the_utc_month_end(
    channel: Channel, vendor_admin: Any
):
    subscribe(vendor_admin, frequency="monthly", day_of_month=1)

    before_seven = run(datetime(2026, 11, 30, 22, 0, tzinfo=UTC))  # 1 Dec 06:00 Shanghai
    at_seven = run(datetime(2026, 11, 30, 23, 0, tzinfo=UTC))  # 1 Dec 07:00 Shanghai

    assert (len(before_seven), len(at_seven)) == (0, 1)


def test_it_is_sent_once_with_the_pdf_in_the_subscribers_language(
    channel: Channel, people: dict[str, Any], vendor_admin: Any
):
    english = people["finance"]
    english.language = "en"
    english.save(update_fields=["language"])
    subscribe(english, query="period=month&province=广东")
    subscribe(vendor_admin, query="period=month&province=广东")  # vendor default: 简体中文

    # Monday 7 December 07:30 in Shanghai: the monthly cockpit covers November, the last
    # whole month.
    monday = datetime(2026, 12, 6, 23, 30, tzinfo=UTC)
    first = run(monday)
    again = run(monday)
    later = run(datetime(2026, 12, 7, 9, 0, tzinfo=UTC))

    assert (len(first), len(again), len(later)) == (2, 0, 0)
    by_email = {m.to[0]: m for m in first}
    to_english, to_chinese = by_email["wang@alpha.example.cn"], by_email["admin@alpha.test"]
    assert to_english.subject == "Channel cockpit · 2026-11 · Guangdong"
    assert to_chinese.subject.endswith(" · 2026-11 · 广东")
    english_pdf, chinese_pdf = attachment_text(to_english), attachment_text(to_chinese)
    assert "2026-11 · Guangdong" in english_pdf
    assert "2026-11 · 广东" in chinese_pdf
    for text in (english_pdf, chinese_pdf):
        assert "¥1,199.00" in text  # south's November
    assert "Attached is your scheduled report" in to_english.body
    assert "http://alpha.localhost" in to_english.body  # where to change or stop it
    assert set(ReportSubscription.objects.values_list("last_sent_on", flat=True)) == {
        date(2026, 12, 7)
    }


def test_the_job_runs_in_the_vendors_zone(channel: Channel, vendor_admin: Any, monkeypatch):
    subscribe(vendor_admin)
    monkeypatch.setattr("django.utils.timezone.now", lambda: MONDAY_0730)
    mail.outbox.clear()

    assert subscriptions_send() == 1
    assert len(mail.outbox) == 1


def test_paused_inactive_and_terminated_get_nothing(
    channel: Channel, people: dict[str, Any], vendor_admin: Any, scoreboard: None
):
    paused = subscribe(vendor_admin)
    paused.is_active = False
    paused.save()
    gone = people["finance"]
    subscribe(gone)
    gone.is_active = False
    gone.save(update_fields=["is_active"])
    subscribe(people["east_admin"], kind="scoreboard")
    partner_set_status(partner=channel.east, status=PartnerStatus.TERMINATED, reason="清退")
    people["east_admin"].is_active = True  # even were its user left active
    people["east_admin"].save(update_fields=["is_active"])
    subscribe(people["south_admin"], kind="scoreboard")

    sent = run(MONDAY_0730)

    assert [m.to for m in sent] == [["sun@south.example.cn"]]
    assert set(
        ReportSubscription.objects.exclude(last_sent_on=None).values_list("user", flat=True)
    ) == {people["south_admin"].pk}


def test_a_partner_users_scoreboard_holds_only_its_own_figures(
    channel: Channel, people: dict[str, Any], scoreboard: None
):
    # Saved naming south (the service would have accepted it: the builder ignores it).
    subscribe(people["east_admin"], kind="scoreboard", query=f"partner={channel.south.pk}")

    (message,) = run(MONDAY_0730)

    text = attachment_text(message)
    assert message.to == ["zhou@east.example.cn"]
    assert channel.east.name in text.replace(" ", "")
    assert "¥2,298.00" in text  # east's purchases in 2026 to date
    assert channel.south.name not in text.replace(" ", "")
    assert "¥1,199.00" not in text


def test_a_failed_send_releases_the_claim_and_the_next_run_sends_it(
    channel: Channel, vendor_admin: Any, people: dict[str, Any], monkeypatch
):
    failing = subscribe(vendor_admin)
    failing.last_sent_on = date(2026, 11, 9)
    failing.save()
    fine = subscribe(people["finance"])
    real_send = EmailMessage.send

    def send(message: EmailMessage, *args: Any, **kwargs: Any) -> int:
        if message.to == ["admin@alpha.test"]:
            raise smtplib.SMTPServerDisconnected("connection lost")
        return real_send(message, *args, **kwargs)

    monkeypatch.setattr(EmailMessage, "send", send)
    mail.outbox.clear()
    with pytest.raises(smtplib.SMTPServerDisconnected):
        subscriptions_send_due(now=MONDAY_0730)
    failing.refresh_from_db()
    fine.refresh_from_db()

    assert [m.to for m in mail.outbox] == [["wang@alpha.example.cn"]]  # the others still go
    assert (failing.last_sent_on, fine.last_sent_on) == (date(2026, 11, 9), date(2026, 11, 16))

    monkeypatch.setattr(EmailMessage, "send", real_send)
    retried = run(MONDAY_0730)
    failing.refresh_from_db()
    assert [m.to for m in retried] == [["admin@alpha.test"]]
    assert failing.last_sent_on == date(2026, 11, 16)


def test_a_report_that_can_no_longer_be_built_is_not_retried_all_day(
    channel: Channel, people: dict[str, Any], scoreboard: None, django_capture_on_commit_callbacks
):
    manager = people["manager"]
    manager.language = "en"
    manager.save(update_fields=["language"])
    subscription = subscribe(manager, kind="scoreboard", query=f"partner={channel.south.pk}")
    channel.south.channel_manager = None  # south is no longer his
    channel.south.save(update_fields=["channel_manager"])

    with django_capture_on_commit_callbacks():
        first, again = run(MONDAY_0730), run(MONDAY_0730)

    subscription.refresh_from_db()
    (note,) = Notification.objects.filter(recipient=manager)
    assert (first, again) == ([], [])
    assert subscription.last_sent_on == date(2026, 11, 16)
    with translation.override("en"):
        assert note.title == "Your scheduled report could not be made"
    assert note.body == (
        "Partner scoreboard (Every Monday): These filters name a partner or a record you may "
        "not see. Change its filters or delete it."
    )
    assert note.url == f"/reports/subscriptions/{subscription.pk}/"


def test_beat_fires_the_job_every_hour_for_every_vendor():
    from celery.schedules import crontab

    from prm.celery import app
    from prm.settings import base

    entry = base.CELERY_BEAT_SCHEDULE["report-subscriptions"]

    assert entry["task"] == "prm.core.tasks.dispatch_to_tenants"
    assert entry["args"] == ["reports.subscriptions_send"]
    assert entry["schedule"] == crontab(hour="*", minute=0)
    assert app.tasks["reports.subscriptions_send"].name == subscriptions_send.name
