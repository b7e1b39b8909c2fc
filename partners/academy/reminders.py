"""Certificate dates, kept by the daily job (partners.academy.tasks.academy_daily).

- 30 days and again 7 days before a certificate expires, its holder and the admins of the
  holder's company are reminded. Each reminder is claimed with a conditional UPDATE on the
  certificate (its `reminded_30_on` / `reminded_7_on` still empty), so it goes once, however
  often the job runs. The 30-day reminder is sent while more than 7 days are left; the 7-day
  one in the last 7 days.
- The day a certificate expires it is noted (`expiry_noted_on`, again claimed once), the same
  people are told, and the holder's enrollment moves on to its next cycle.

Both are about taking the course again, so they go only while the course is published and still
assigned to the holder (an active partner user): for an archived course, or one no longer on
the holder's paths, the 30/7-day reminders are skipped (still marked, so not retried) and the
expiry notice says only that it expired.

Only a person's latest certificate of a course is reminded about: an older one was replaced.
`today` is the vendor's day, passed in so a missed day can be replayed."""

from __future__ import annotations

from datetime import date, timedelta

from django.db import transaction
from django.db.models import OuterRef, QuerySet, Subquery

from prm.accounts.access import active_user

from . import notices
from .assignments import course_assigned
from .models import Certificate, CourseStatus, Enrollment
from .progress import enrollment_renew_if_expired

REMINDERS = ((30, "reminded_30_on"), (7, "reminded_7_on"))


def _latest() -> QuerySet[Certificate]:
    newest = Certificate.objects.filter(
        user_id=OuterRef("user_id"), course_id=OuterRef("course_id")
    ).order_by("-cycle")
    return Certificate.objects.filter(pk=Subquery(newest.values("pk")[:1]))


def _claim(pk: int, marker: str, today: date) -> Certificate | None:
    """Take the reminder `marker` for certificate `pk`; None when another run took it."""
    if not Certificate.objects.filter(pk=pk, **{f"{marker}__isnull": True}).update(
        **{marker: today}
    ):
        return None
    return Certificate.objects.select_related("user__partner", "course").get(pk=pk)


def retake_offered(certificate: Certificate) -> bool:
    """May the holder take the course again (published, assigned to them)?"""
    user, course = certificate.user, certificate.course
    return (
        course.status == CourseStatus.PUBLISHED
        and active_user(user)
        and user.is_partner_user
        and course_assigned(user, course)
    )


def certificates_remind(today: date) -> int:
    sent = 0
    bounds = {30: (8, 30), 7: (1, 7)}
    for days, marker in REMINDERS:
        low, high = bounds[days]
        due = _latest().filter(
            expires_on__gte=today + timedelta(days=low),
            expires_on__lte=today + timedelta(days=high),
            **{f"{marker}__isnull": True},
        )
        for pk in list(due.values_list("pk", flat=True)):
            with transaction.atomic():
                certificate = _claim(pk, marker, today)
                if certificate is None:
                    continue
                if not retake_offered(certificate):
                    continue
                assert certificate.expires_on is not None
                notices.certificate_expiring(certificate, (certificate.expires_on - today).days)
                sent += 1
    return sent


def certificates_note_expired(today: date) -> int:
    noted = 0
    due = _latest().filter(expires_on__lte=today, expiry_noted_on__isnull=True)
    for pk in list(due.values_list("pk", flat=True)):
        with transaction.atomic():
            certificate = _claim(pk, "expiry_noted_on", today)
            if certificate is None:
                continue
            enrollment = (
                Enrollment.objects.select_for_update()
                .filter(user_id=certificate.user_id, course_id=certificate.course_id)
                .first()
            )
            if enrollment is not None:
                enrollment_renew_if_expired(enrollment, today=today)
            notices.certificate_expired(certificate, retake=retake_offered(certificate))
            noted += 1
    return noted
