"""Read receipts and acknowledgements; the counts and the outstanding people the vendor sees;
the partner's home-page summary; reminders to acknowledge, once per person."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation

from partners.announcements.models import (
    Announcement,
    AnnouncementReceipt,
    AnnouncementReminder,
    Importance,
)
from partners.announcements.readership import (
    Readership,
    outstanding,
    outstanding_csv,
    readership,
)
from partners.announcements.receipts import announcement_acknowledge, announcement_open
from partners.announcements.schedule import announcements_run
from partners.announcements.selectors import announcements_for_reader, announcements_pending_for
from partners.models import Partner
from prm.accounts.roles import Role
from prm.core.models import Notification
from tests.factories import make_user

from .conftest import announce, at, told_at

pytestmark = pytest.mark.django_db


@pytest.fixture
def price_change(kb):
    """Important, for 浙江: the gold dealer's user and the agent's user."""
    return announce(
        kb["editor"],
        title="调价通知",
        importance=Importance.IMPORTANT,
        ack_due=timezone.localdate() + timedelta(days=10),
        regions=[kb["zhejiang"]],
    )


def test_opening_marks_read_once_and_keeps_the_first_time(kb, price_change):
    reader = kb["gold_dealer_user"]
    first = announcement_open(price_change, user=reader)
    AnnouncementReceipt.objects.filter(pk=first.pk).update(
        read_at=first.read_at - timedelta(hours=1)
    )

    again = announcement_open(price_change, user=reader)

    assert again.pk == first.pk
    assert again.read_at == first.read_at - timedelta(hours=1)
    assert again.acknowledged_at is None
    assert AnnouncementReceipt.objects.count() == 1


def test_acknowledging_records_the_time_once_and_only_for_important_ones(kb, price_change):
    reader = kb["agent_user"]
    acknowledged = announcement_acknowledge(price_change, user=reader)  # unopened: read too
    later = announcement_acknowledge(price_change, user=reader)

    assert acknowledged.acknowledged_at is not None
    assert acknowledged.read_at == acknowledged.acknowledged_at
    assert later.acknowledged_at == acknowledged.acknowledged_at
    normal = announce(kb["editor"], title="普通")
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        announcement_acknowledge(normal, user=reader)
    assert refused.value.messages == ["Only important announcements are acknowledged."]


def test_outside_the_audience_nothing_is_recorded(kb, price_change):
    for user in (kb["silver_dealer_user"], kb["sales"]):
        with pytest.raises(PermissionDenied):
            announcement_open(price_change, user=user)
        with pytest.raises(PermissionDenied):
            announcement_acknowledge(price_change, user=user)
    assert not AnnouncementReceipt.objects.exists()


def test_the_vendor_sees_exact_counts_and_who_is_outstanding_per_partner(kb, price_change):
    colleague = make_user(Role.PARTNER_USER, partner=kb["gold_dealer"], full_name="钱二")
    announcement_acknowledge(price_change, user=kb["gold_dealer_user"])
    announcement_open(price_change, user=colleague)
    announcement_open(price_change, user=kb["agent_user"])
    announcement_acknowledge(price_change, user=kb["agent_user"])
    latecomer = make_user(Role.PARTNER_USER, partner=kb["untiered_agent"], full_name="孙三")

    assert readership([price_change], viewer=kb["sales"]) == {
        price_change.pk: Readership(recipients=4, read=3, acknowledged=2)
    }
    groups = outstanding(price_change, viewer=kb["sales"])
    assert [
        (g.partner.pk, [(r.user.pk, r.read_at is not None) for r in g.people]) for g in groups
    ] == sorted(
        [
            (kb["gold_dealer"].pk, [(colleague.pk, True)]),
            (kb["untiered_agent"].pk, [(latecomer.pk, False)]),
        ],
        key=lambda g: Partner.objects.get(pk=g[0]).name,
    )


def test_a_channel_manager_counts_only_his_partners(kb, price_change):
    manager = make_user(Role.CHANNEL_MANAGER)
    Partner.objects.filter(pk=kb["untiered_agent"].pk).update(channel_manager=manager)
    announcement_open(price_change, user=kb["agent_user"])

    assert readership([price_change], viewer=manager)[price_change.pk] == Readership(1, 1, 0)
    assert [g.partner.pk for g in outstanding(price_change, viewer=manager)] == [
        kb["untiered_agent"].pk
    ]


def test_the_outstanding_csv_lists_people_and_never_starts_a_formula(kb, price_change):
    kb["agent_user"].full_name = "=HYPERLINK(1)"
    kb["agent_user"].save()
    announcement_acknowledge(price_change, user=kb["gold_dealer_user"])

    with translation.override("en"):
        rows = list(
            csv.reader(io.StringIO(outstanding_csv(price_change, viewer=kb["sales"]).decode()))
        )

    assert rows[0] == [
        "\ufeffPartner",
        "Person",
        "Email",
        "Phone",
        "Read at",
        "Acknowledged at",
    ]
    assert rows[1:] == [
        [kb["untiered_agent"].name, "'=HYPERLINK(1)", kb["agent_user"].email, "", "", ""]
    ]


def test_the_home_summary_counts_unread_and_unacknowledged(kb, price_change):
    reader = kb["gold_dealer_user"]
    promotion = announce(kb["editor"], title="促销", kind="promotion")
    announce(kb["editor"], title="银牌专享", tiers=[kb["silver"]])  # not for this reader

    before = announcements_pending_for(reader)
    announcement_open(price_change, user=reader)
    opened = announcements_pending_for(reader)
    announcement_acknowledge(price_change, user=reader)
    announcement_open(promotion, user=reader)
    done = announcements_pending_for(reader)

    assert (before.unread, before.to_acknowledge) == (2, 1)
    assert [a.title for a in before.latest] == ["促销", "调价通知"]
    assert (opened.unread, opened.to_acknowledge) == (1, 1)
    assert (done.unread, done.to_acknowledge) == (0, 0)
    assert announcements_pending_for(kb["sales"]).latest == []


def test_partners_lists_put_the_latest_to_appear_first(kb):
    now = timezone.now()
    scheduled = announce(kb["editor"], title="排期", publish_at=now + timedelta(hours=2))
    immediate = announce(kb["editor"], title="即时")
    # Approved two days ago for today, it appeared a minute ago; the other appeared yesterday.
    Announcement.objects.filter(pk=scheduled.pk).update(
        published_at=now - timedelta(days=2), publish_at=now - timedelta(minutes=1)
    )
    Announcement.objects.filter(pk=immediate.pk).update(
        published_at=now - timedelta(days=1), publish_at=now - timedelta(days=1)
    )
    reader = kb["agent_user"]

    assert [a.title for a in announcements_for_reader(reader)] == ["排期", "即时"]
    assert [a.title for a in announcements_pending_for(reader, latest=1).latest] == ["排期"]


def _reminded(notice):
    return sorted(
        AnnouncementReminder.objects.filter(announcement=notice).values_list("user_id", flat=True)
    )


def test_reminders_go_once_in_the_nine_oclock_run_when_the_due_date_is_near(kb):
    today = timezone.localdate()
    notice = announce(
        kb["editor"],
        title="新返利政策",
        importance=Importance.IMPORTANT,
        ack_due=today + timedelta(days=4),
        regions=[kb["zhejiang"]],
    )
    announcement_acknowledge(notice, user=kb["gold_dealer_user"])
    told_at(notice, at(today, 15, 0))
    two_days_before = today + timedelta(days=2)

    assert announcements_run(now=at(today + timedelta(days=1))) == {"released": 0, "reminded": 0}
    for hour in (0, 8, 10, 16, 23):  # due within two days, but not the reminder hour
        assert announcements_run(now=at(two_days_before, hour)) == {"released": 0, "reminded": 0}
    assert announcements_run(now=at(two_days_before)) == {"released": 0, "reminded": 1}
    assert announcements_run(now=at(two_days_before)) == {"released": 0, "reminded": 0}
    assert announcements_run(now=at(today + timedelta(days=5)))["reminded"] == 0

    assert _reminded(notice) == [kb["agent_user"].pk]
    (note,) = Notification.objects.filter(kind="announcements.acknowledge")
    assert (note.recipient_id, note.email) == (kb["agent_user"].pk, True)
    assert note.url == f"/portal/announcements/{notice.pk}/"


def test_no_reminder_follows_the_announcement_within_a_day(kb):
    today = timezone.localdate()
    notice = announce(
        kb["editor"],
        title="明日截止",
        importance=Importance.IMPORTANT,
        ack_due=today + timedelta(days=1),
        regions=[kb["zhejiang"]],
    )
    told_at(notice, at(today, 9, 30))

    # Fifteen minutes after the announcement email: no reminder on its heels.
    assert announcements_run(now=at(today, 9, 45))["reminded"] == 0
    # Nor the next morning: 23 and a half hours is not a day.
    assert announcements_run(now=at(today + timedelta(days=1)))["reminded"] == 0
    assert announcements_run(now=at(today + timedelta(days=2)))["reminded"] == 2
    assert _reminded(notice) == sorted([kb["gold_dealer_user"].pk, kb["agent_user"].pk])
    assert Notification.objects.filter(kind="announcements.acknowledge").count() == 2


def test_overdue_reminders_reach_newcomers_for_a_week_and_normal_ones_never(
    kb, django_assert_num_queries
):
    today = timezone.localdate()
    notice = announce(
        kb["editor"],
        title="合规声明",
        importance=Importance.IMPORTANT,
        ack_due=today,
        regions=[kb["guangdong"]],
    )
    announce(kb["editor"], title="普通通知", regions=[kb["guangdong"]])
    told_at(notice, at(today - timedelta(days=3), 14, 0))

    assert announcements_run(now=at(today + timedelta(days=5)))["reminded"] == 2
    newcomer = make_user(Role.PARTNER_USER, partner=kb["silver_dealer"])
    assert announcements_run(now=at(today + timedelta(days=5)))["reminded"] == 1
    week_late = make_user(Role.PARTNER_USER, partner=kb["silver_dealer"])
    assert announcements_run(now=at(today + timedelta(days=7)))["reminded"] == 1  # the 7th day
    too_late = make_user(Role.PARTNER_USER, partner=kb["gold_distributor"])

    # Eight days after: no reminder, and the announcement's recipients are not even worked
    # out: one query for what is due to be told, one for what is due a reminder.
    with django_assert_num_queries(2):
        assert announcements_run(now=at(today + timedelta(days=8))) == {
            "released": 0,
            "reminded": 0,
        }
    # Outside the reminder hour, reminders are not looked for at all.
    with django_assert_num_queries(1):
        announcements_run(now=at(today + timedelta(days=5), 14))

    assert _reminded(notice) == sorted(
        [
            kb["silver_dealer_user"].pk,
            kb["gold_distributor_user"].pk,
            newcomer.pk,
            week_late.pk,
        ]
    )
    assert too_late.pk not in _reminded(notice)
    assert AnnouncementReminder.objects.count() == 4
