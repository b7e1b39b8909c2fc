"""Taking a course: the enrollment row every step locks, and lessons marked complete.

A step first renews the enrollment when the certificate of its cycle has expired (the next
cycle starts, with nothing done yet), then records what was done, then checks whether the
course is complete (partners.academy.certificates). One transaction per step."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from prm.accounts.access import active_user
from prm.accounts.models import User

from . import dates
from .assignments import course_assigned
from .certificates import certificate_issue_if_complete
from .models import Certificate, Course, Enrollment, Lesson, LessonCompletion


def enrollment_renew_if_expired(enrollment: Enrollment, *, today: date | None = None) -> bool:
    """Start the next cycle if this cycle's certificate has expired (by `today`, the vendor's
    today by default); the caller holds the lock."""
    certificate = Certificate.objects.filter(
        user_id=enrollment.user_id, course_id=enrollment.course_id, cycle=enrollment.cycle
    ).first()
    if certificate is None or certificate.is_valid_on(today or dates.today()):
        return False
    enrollment.cycle += 1
    enrollment.cycle_started_at = timezone.now()
    enrollment.completed_at = None
    enrollment.extra_attempts = 0  # granted for the cycle that ended
    enrollment.save(update_fields=["cycle", "cycle_started_at", "completed_at", "extra_attempts"])
    return True


def enrollment_lock(user: User, course: Course) -> Enrollment:
    """The person's enrollment in the course, created on first use, locked until commit.

    Two first steps at once both try to create it; the unique constraint lets one win and the
    other read it (get_or_create retries the read after the conflict)."""
    Enrollment.objects.get_or_create(user=user, course=course)
    enrollment = Enrollment.objects.select_for_update().get(user=user, course=course)
    enrollment_renew_if_expired(enrollment)
    return enrollment


def check_can_take(user: User, course: Course) -> None:
    if not (active_user(user) and user.is_partner_user):
        raise PermissionDenied
    if not course_assigned(user, course):
        raise PermissionDenied


@transaction.atomic
def lesson_complete(*, user: User, lesson: Lesson) -> Certificate | None:
    """Mark a lesson done for this cycle (again is harmless); returns the certificate when this
    completed the course."""
    course = lesson.course
    check_can_take(user, course)
    if not lesson.is_published:
        raise ValidationError(_("This lesson is not published."))
    enrollment = enrollment_lock(user, course)
    LessonCompletion.objects.get_or_create(
        enrollment=enrollment, lesson=lesson, cycle=enrollment.cycle
    )
    return certificate_issue_if_complete(enrollment)
