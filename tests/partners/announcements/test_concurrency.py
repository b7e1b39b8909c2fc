"""Receipts and reminders in separate, committed transactions at the same moment (real
PostgreSQL sessions): one receipt per reader with its first read time, one reminder per
person however many runs overlap."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.utils import timezone

from partners.announcements.models import (
    Announcement,
    AnnouncementReceipt,
    AnnouncementReminder,
    Importance,
)
from partners.announcements.receipts import announcement_acknowledge, announcement_open
from partners.announcements.schedule import announcements_run
from partners.models import Partner, PartnerStatus, Tier
from prm.accounts.models import User
from prm.accounts.roles import Role
from prm.core.models import Notification
from tests.concurrency import in_thread, run_concurrently
from tests.factories import make_partner, make_user
from tests.orders.test_ledger_concurrency import _remove

from .conftest import announce, at

pytestmark = pytest.mark.django_db
PEOPLE = 3


def _setup() -> dict[str, Any]:
    editor = make_user(Role.MARKETING)
    # The audience is this test's own tier: nobody else committed in the schema is reminded.
    tier = Tier.objects.create(code="race-ann", name="并发", name_en="Race", rank=97)
    # Made active by hand: activation's onboarding rows are not this test's to clean up.
    partner = make_partner(status=PartnerStatus.APPLIED, name="并发公告伙伴", tier=tier)
    Partner.objects.filter(pk=partner.pk).update(status=PartnerStatus.ACTIVE)
    users = [make_user(Role.PARTNER_USER, partner=partner) for _ in range(PEOPLE)]
    notice = announce(
        editor,
        title="并发调价",
        importance=Importance.IMPORTANT,
        ack_due=timezone.localdate() + timedelta(days=1),
        tiers=[tier],
    )
    return {
        "tier": tier.pk,
        "announcement": notice.pk,
        "partner": partner.pk,
        "users": [u.pk for u in users],
        "editor": editor.pk,
    }


def _cleanup(ids: dict[str, Any]) -> None:
    people = [*ids["users"], ids["editor"]]
    with connection.cursor() as cursor:
        for sql in (
            "DELETE FROM core_notification WHERE recipient_id = ANY(%(u)s)",
            "DELETE FROM announcements_announcementreceipt WHERE announcement_id = %(a)s",
            "DELETE FROM announcements_announcementreminder WHERE announcement_id = %(a)s",
            "DELETE FROM announcements_announcementstatuschange WHERE announcement_id = %(a)s",
            "DELETE FROM announcements_announcement_tiers WHERE announcement_id = %(a)s",
            "DELETE FROM announcements_announcement WHERE id = %(a)s",
            "DELETE FROM auditlog_logentry WHERE content_type_id IN "
            "(SELECT id FROM django_content_type WHERE app_label = 'announcements')",
        ):
            cursor.execute(sql, {"a": ids["announcement"], "u": people})
    _remove(ids["partner"], users=people)
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM partners_tier WHERE id = %s", [ids["tier"]])
        for model, pks in (("user", people), ("tier", [ids["tier"]])):
            cursor.execute(
                "DELETE FROM auditlog_logentry WHERE object_pk = ANY(%s) AND content_type_id = "
                "(SELECT id FROM django_content_type WHERE app_label = %s AND model = %s)",
                [[str(pk) for pk in pks], "accounts" if model == "user" else "partners", model],
            )


@pytest.fixture
def committed(tenant_a: Any) -> Iterator[dict[str, Any]]:
    """An important announcement for everyone and one active partner's three people, committed
    for real (and removed afterwards) so that separate sessions can race over them."""
    ids = in_thread("alpha", _setup)
    try:
        yield ids
    finally:
        in_thread("alpha", lambda: _cleanup(ids))


def _call(action: Callable[..., AnnouncementReceipt], ids: dict[str, Any], user_id: int) -> Any:
    def run() -> AnnouncementReceipt:
        return action(
            Announcement.objects.get(pk=ids["announcement"]),
            user=User.objects.select_related("partner").get(pk=user_id),
        )

    return run


def test_opening_and_acknowledging_at_once_leave_one_receipt_with_its_first_time(committed):
    ids = committed
    reader = ids["users"][0]
    opens = [_call(announcement_open, ids, reader) for _ in range(4)]
    acks = [_call(announcement_acknowledge, ids, reader) for _ in range(2)]

    results = run_concurrently("alpha", [*opens, *acks])

    def stored() -> list[tuple[int, Any, Any]]:
        return list(
            AnnouncementReceipt.objects.filter(announcement_id=ids["announcement"]).values_list(
                "user_id", "read_at", "acknowledged_at"
            )
        )

    ((user_id, read_at, acknowledged_at),) = in_thread("alpha", stored)
    assert user_id == reader
    assert acknowledged_at is not None
    # Every caller got the one row: the read time of whoever came first, kept by all others.
    assert {r.read_at for r in results} == {read_at}
    assert {r.acknowledged_at for r in results[len(opens) :]} == {acknowledged_at}

    in_thread("alpha", _call(announcement_open, ids, reader))  # opened again later
    assert in_thread("alpha", stored) == [(reader, read_at, acknowledged_at)]


def test_two_reminder_runs_at_once_remind_each_person_once(committed):
    ids = committed

    def told_two_days_ago() -> None:
        Announcement.objects.filter(pk=ids["announcement"]).update(
            notified_at=timezone.now() - timedelta(days=2)
        )

    in_thread("alpha", told_two_days_ago)
    nine = at(timezone.localdate())

    def run() -> int:
        return announcements_run(now=nine)["reminded"]

    results = run_concurrently("alpha", [run, run])

    def reminded() -> tuple[list[int], list[int]]:
        return (
            sorted(
                AnnouncementReminder.objects.filter(
                    announcement_id=ids["announcement"]
                ).values_list("user_id", flat=True)
            ),
            sorted(
                Notification.objects.filter(
                    kind="announcements.acknowledge", recipient_id__in=ids["users"]
                ).values_list("recipient_id", flat=True)
            ),
        )

    assert sorted(results) == [0, PEOPLE]
    assert in_thread("alpha", reminded) == (sorted(ids["users"]), sorted(ids["users"]))
