"""The daily round: tell the recipients of scheduled announcements that have come due, and
remind whoever has not acknowledged an important one due within two days (or overdue), once
per person. Both are safe to run twice and alongside each other."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy

from prm.core.notifications import notify
from prm.tenancy.selectors import tenant_zone

from .models import (
    Announcement,
    AnnouncementReceipt,
    AnnouncementReminder,
    AnnouncementStatus,
    Importance,
)
from .recipients import recipients
from .services import announcement_release, lazy_pick

REMIND_DAYS_BEFORE = 2


def announcements_release_due(now: datetime) -> int:
    """Announcements told now; each one's recipients are told once (announcement_release)."""
    due = Announcement.objects.filter(
        status=AnnouncementStatus.PUBLISHED, notified_at__isnull=True, publish_at__lte=now
    ).order_by("publish_at", "pk")
    return sum(1 for pk in due.values_list("pk", flat=True) if announcement_release(pk, now=now))


@transaction.atomic
def _remind(announcement_id: int) -> int:
    # The row lock makes a second run wait and then see the reminders the first one recorded.
    announcement = Announcement.objects.select_for_update().get(pk=announcement_id)
    done = set(
        AnnouncementReceipt.objects.filter(
            announcement=announcement, acknowledged_at__isnull=False
        ).values_list("user_id", flat=True)
    ) | set(
        AnnouncementReminder.objects.filter(announcement=announcement).values_list(
            "user_id", flat=True
        )
    )
    people = [u for u in recipients(announcement) if u.pk not in done]
    if not people:
        return 0
    AnnouncementReminder.objects.bulk_create(
        [AnnouncementReminder(announcement=announcement, user=u) for u in people]
    )
    assert announcement.ack_due is not None
    notify(
        recipients=people,
        kind="announcements.acknowledge",
        title=format_lazy(
            gettext_lazy("Please acknowledge by {date}: {title}"),
            date=announcement.ack_due.isoformat(),
            title=lazy_pick(announcement.title, announcement.title_en),
        ),
        body=gettext_lazy(
            "This announcement is important. Open it and confirm that you have read it."
        ),
        url=reverse("portal_announcements:detail", args=[announcement.pk]),
        email=True,
    )
    return len(people)


def acknowledgement_reminders_send(today: date, *, now: datetime) -> int:
    """People reminded: of important, live announcements whose acknowledgement date is at most
    two days away or past, those who have neither acknowledged nor been reminded."""
    due = (
        Announcement.objects.filter(
            status=AnnouncementStatus.PUBLISHED,
            importance=Importance.IMPORTANT,
            notified_at__isnull=False,
            ack_due__lte=today + timedelta(days=REMIND_DAYS_BEFORE),
        )
        .filter(Q(publish_at__isnull=True) | Q(publish_at__lte=now))
        .order_by("ack_due", "pk")
    )
    return sum(_remind(pk) for pk in due.values_list("pk", flat=True))


def announcements_run(*, now: datetime | None = None) -> dict[str, int]:
    """Both rounds as of `now` (a naive time is the vendor's); "today" is the vendor's."""
    zone = tenant_zone()
    now = now or timezone.now()
    if timezone.is_naive(now):
        now = timezone.make_aware(now, zone)
    today = timezone.localtime(now, zone).date()
    return {
        "released": announcements_release_due(now),
        "reminded": acknowledgement_reminders_send(today, now=now),
    }
