"""Drafts, publishing (recipients told once, by email when important), scheduling and the daily
job's release, withdrawing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation

from partners.announcements.models import Announcement, AnnouncementStatus, Importance
from partners.announcements.schedule import announcements_run
from partners.announcements.selectors import announcement_get_visible
from partners.announcements.services import (
    announcement_publish,
    announcement_update,
    announcement_withdraw,
)
from partners.announcements.tasks import announcements_daily
from prm.core.models import Notification
from prm.core.workflow import InvalidTransition

from .conftest import announce

pytestmark = pytest.mark.django_db


def _told(kind="announcements.published"):
    return sorted(
        Notification.objects.filter(kind=kind).values_list("recipient_id", "email", "url")
    )


def test_publishing_tells_every_recipient_once_in_their_language(kb):
    english = kb["gold_dealer_user"]
    english.language = "en"
    english.save()

    notice = announce(
        kb["editor"],
        title="2027年价格表",
        title_en="Price list 2027",
        tiers=[kb["gold"]],
        summary="新价格自一月起生效",
    )

    url = f"/portal/announcements/{notice.pk}/"
    assert _told() == sorted(
        [
            (kb["gold_dealer_user"].pk, False, url),
            (kb["gold_distributor_user"].pk, False, url),
        ]
    )
    note = Notification.objects.get(recipient=english)
    assert (note.title, note.body) == ("New announcement: Price list 2027", "新价格自一月起生效")
    assert "2027年价格表" in Notification.objects.get(recipient=kb["gold_distributor_user"]).title
    assert notice.notified_at is not None
    assert announcements_run() == {"released": 0, "reminded": 0}
    assert len(_told()) == 2


def test_important_announcements_are_emailed_and_ask_for_acknowledgement(kb):
    due = timezone.localdate() + timedelta(days=10)
    with translation.override("en"):
        announce(
            kb["editor"],
            title="调价",
            title_en="Price change",
            importance=Importance.IMPORTANT,
            ack_due=due,
            regions=[kb["zhejiang"]],
            body="<p>All prices rise by 3%.</p>",
        )

    assert [e for _r, e, _u in _told()] == [True, True]  # 浙江: the gold dealer and the agent
    note = Notification.objects.get(recipient=kb["agent_user"])
    with translation.override("en"):
        assert note.body.endswith(f"Please read it and acknowledge it by {due.isoformat()}.")
    assert note.body.startswith("All prices rise by 3%.")


def test_bad_drafts_are_refused_at_their_field_and_nothing_is_saved(kb):
    editor = kb["editor"]
    cases = [
        ({"title": "  "}, "title"),
        ({"kind": "gossip"}, "kind"),
        ({"ack_due": timezone.localdate() + timedelta(days=3)}, "ack_due"),  # not important
        (
            {"importance": Importance.IMPORTANT, "ack_due": timezone.localdate() - timedelta(1)},
            "ack_due",
        ),
        (
            {
                "importance": Importance.IMPORTANT,
                "publish_at": timezone.now() + timedelta(days=5),
                "ack_due": timezone.localdate() + timedelta(days=2),
            },
            "ack_due",
        ),
    ]
    for fields, field in cases:
        with pytest.raises(ValidationError) as refused:
            announce(editor, publish=False, **fields)
        assert list(refused.value.message_dict) == [field]
    assert not Announcement.objects.exists()


def test_only_editors_write_and_only_drafts_change(kb):
    with pytest.raises(PermissionDenied):
        announce(kb["sales"])
    draft = announce(kb["editor"], publish=False)
    with pytest.raises(PermissionDenied):
        announcement_publish(draft, actor=kb["sales"])

    published = announcement_publish(draft, actor=kb["editor"])

    with translation.override("en"), pytest.raises(ValidationError) as frozen:
        announcement_update(
            published,
            actor=kb["editor"],
            kind="policy",
            importance=Importance.NORMAL,
            title="改",
            title_en="",
            summary="",
            body="b",
            body_en="",
            publish_at=None,
            ack_due=None,
            tiers=[],
            partner_types=[],
            regions=[],
        )
    assert frozen.value.messages == [
        "Only drafts can be changed; withdraw it and publish a corrected announcement."
    ]
    with pytest.raises(InvalidTransition):
        announcement_publish(published, actor=kb["editor"])


def test_a_scheduled_announcement_appears_at_its_time_and_is_told_once_by_the_job(kb):
    at = timezone.now() + timedelta(hours=3)
    notice = announce(kb["editor"], title="双十一促销", publish_at=at, tiers=[kb["gold"]])
    reader = kb["gold_dealer_user"]

    assert notice.status == AnnouncementStatus.PUBLISHED
    assert notice.is_scheduled
    assert announcement_get_visible(user=reader, pk=notice.pk) is None
    assert announcements_run(now=at - timedelta(minutes=1)) == {"released": 0, "reminded": 0}
    assert _told() == []

    # The time comes: partners see it, and the next run tells them, once.
    Announcement.objects.filter(pk=notice.pk).update(publish_at=timezone.now())
    assert announcement_get_visible(user=reader, pk=notice.pk) == notice
    assert announcements_daily(now=(at + timedelta(minutes=5)).isoformat()) == {
        "released": 1,
        "reminded": 0,
    }
    assert announcements_daily(now=(at + timedelta(minutes=6)).isoformat()) == {
        "released": 0,
        "reminded": 0,
    }
    assert [r for r, _e, _u in _told()] == sorted(
        [kb["gold_dealer_user"].pk, kb["gold_distributor_user"].pk]
    )


def test_a_past_publish_time_becomes_now_and_withdrawing_needs_a_reason(kb):
    before = timezone.now()
    notice = announce(kb["editor"], publish_at=before - timedelta(days=3))
    assert notice.publish_at is not None
    assert notice.publish_at >= before

    with translation.override("en"), pytest.raises(ValidationError) as no_reason:
        announcement_withdraw(notice, actor=kb["editor"], reason=" ")
    assert no_reason.value.message_dict == {"reason": ["Say why it is withdrawn."]}

    announcement_withdraw(notice, actor=kb["editor"], reason="价格有误，另行通知")

    assert announcement_get_visible(user=kb["agent_user"], pk=notice.pk) is None
    assert list(
        notice.status_changes.order_by("pk").values_list("from_status", "to_status", "reason")
    ) == [
        ("", "draft", ""),
        ("draft", "published", ""),
        ("published", "withdrawn", "价格有误，另行通知"),
    ]


def test_a_scheduled_announcement_withdrawn_before_its_time_is_never_told(kb):
    at = timezone.now() + timedelta(hours=1)
    notice = announce(kb["editor"], title="取消的促销", publish_at=at)
    announcement_withdraw(notice, actor=kb["editor"], reason="活动取消")
    Announcement.objects.filter(pk=notice.pk).update(publish_at=timezone.now())

    assert announcements_run(now=at + timedelta(minutes=1)) == {"released": 0, "reminded": 0}
    assert _told() == []
    assert announcement_get_visible(user=kb["agent_user"], pk=notice.pk) is None
