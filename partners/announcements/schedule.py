"""The announcements job (beat runs it hourly): tell the recipients of scheduled announcements
that have come due, and, once a day, remind whoever has not acknowledged an important one due
within two days (or overdue by at most a week), once per person. Both are safe to run twice and
alongside each other.

Reminders go only in the run of the vendor's REMIND_HOUR (the 09:05 run), so a person gets
them in working hours and at most one round a day; and only for announcements told at least a
day before, so a reminder never follows its announcement by minutes. A missed 09:05 run (the
worker was down all hour) leaves that day's reminders to the next day: they are a nudge, and
the announcement itself already said by when."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.db import transaction
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
# Past this many days after `ack_due` the people left are the vendor's to chase, not the job's:
# and the job stops working out recipients of old announcements.
REMIND_DAYS_AFTER = 7
REMIND_HOUR = 9
TOLD_AT_LEAST = timedelta(days=1)


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
    """People reminded: of important, live announcements told at least a day before `now`
    whose acknowledgement date is between a week ago and two days away, those who have
    neither acknowledged nor been reminded."""
    due = Announcement.objects.filter(
        status=AnnouncementStatus.PUBLISHED,
        importance=Importance.IMPORTANT,
        # Set only once the announcement is live, so this is "partners see it" too.
        notified_at__lte=now - TOLD_AT_LEAST,
        ack_due__lte=today + timedelta(days=REMIND_DAYS_BEFORE),
        ack_due__gte=today - timedelta(days=REMIND_DAYS_AFTER),
    ).order_by("ack_due", "pk")
    return sum(_remind(pk) for pk in due.values_list("pk", flat=True))


def announcements_run(*, now: datetime | None = None) -> dict[str, int]:
    """Both rounds as of `now` (a naive time is the vendor's); "today" and the reminder hour
    are the vendor's."""
    zone = tenant_zone()
    now = now or timezone.now()
    if timezone.is_naive(now):
        now = timezone.make_aware(now, zone)
    local = timezone.localtime(now, zone)
    released = announcements_release_due(now)
    reminded = (
        acknowledgement_reminders_send(local.date(), now=now) if local.hour == REMIND_HOUR else 0
    )
    return {"released": released, "reminded": reminded}
