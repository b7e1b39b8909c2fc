"""Issuing certificates, and finding one by its verification code.

A course is complete for a person when, in the current cycle, every published lesson is marked
done and the quiz is passed (or the course has no quiz). Completing it issues one certificate:
the enrollment row is locked by the caller and (person, course, cycle) is unique, so a repeated
or concurrent step never issues a second one. After the certificate expires the next cycle
starts (partners.academy.progress) and completing the course again issues a new certificate.

Verification codes are 12 characters of Crockford's base32 (60 random bits from `secrets`),
shown in three groups: K7QM-2X9D-HT4B. Reading them back forgives case, spaces, dashes and the
letters people confuse with digits (O for 0, I and L for 1).

Completion is also checked when the course changes under the learners (a lesson unpublished
or deleted, a question deleted: `course_recheck`) and by the daily job for every open
enrollment of the published courses (`enrollments_recheck`): someone who had done everything
that is left must not wait for a step that no longer exists."""

from __future__ import annotations

import secrets

from django.db import IntegrityError, transaction
from django.utils import timezone

from prm.accounts.access import active_user

from . import dates, notices
from .assignments import course_assigned
from .models import Certificate, Course, CourseStatus, Enrollment, LessonCompletion, QuizAttempt

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_LENGTH = 12
_CONFUSED = str.maketrans("OIL", "011")


def new_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))


def normalize_code(raw: str) -> str | None:
    """The stored form of a code as typed, or None when it cannot be one."""
    text = "".join(raw.split()).replace("-", "").upper().translate(_CONFUSED)
    if len(text) != CODE_LENGTH or any(ch not in ALPHABET for ch in text):
        return None
    return text


def certificate_lookup(raw_code: str) -> Certificate | None:
    code = normalize_code(raw_code or "")
    if code is None:
        return None
    return Certificate.objects.select_related("partner").filter(code=code).first()


def course_complete(enrollment: Enrollment) -> bool:
    """Every published lesson done and the quiz (if any) passed, in the enrollment's cycle."""
    course = enrollment.course
    lessons = set(course.lessons.filter(is_published=True).values_list("pk", flat=True))
    if not lessons:
        return False
    done = set(
        LessonCompletion.objects.filter(
            enrollment=enrollment, cycle=enrollment.cycle, lesson_id__in=lessons
        ).values_list("lesson_id", flat=True)
    )
    if done != lessons:
        return False
    if not course.questions.exists():
        return True
    return QuizAttempt.objects.filter(
        enrollment=enrollment, cycle=enrollment.cycle, passed=True
    ).exists()


def certificate_issue_if_complete(enrollment: Enrollment) -> Certificate | None:
    """Issue the cycle's certificate if the course is now complete; None if it is not, or was
    issued already. The caller holds the enrollment's row lock."""
    if Certificate.objects.filter(
        user_id=enrollment.user_id, course_id=enrollment.course_id, cycle=enrollment.cycle
    ).exists():
        return None
    if not course_complete(enrollment):
        return None
    return _issue(enrollment)


def _issue(enrollment: Enrollment) -> Certificate:
    from .milestones import onboarding_check

    user, course = enrollment.user, enrollment.course
    issued_on = dates.today()
    partner = user.partner
    certificate = Certificate(
        user=user,
        partner=partner,
        company_name=partner.name if partner else "",
        company_name_en=partner.name_en if partner else "",
        course=course,
        cycle=enrollment.cycle,
        holder_name=user.full_name,
        course_title=course.title,
        course_title_en=course.title_en,
        issued_on=issued_on,
        expires_on=dates.expiry_date(issued_on, course.validity_months),
    )
    for attempt in range(5):
        certificate.code = new_code()
        try:
            with transaction.atomic():
                certificate.save(force_insert=True)
            break
        except IntegrityError:
            # 60 random bits: a clash is all but impossible; if it happens, draw again.
            certificate.pk = None
            if attempt == 4:
                raise
    enrollment.completed_at = timezone.now()
    enrollment.save(update_fields=["completed_at"])
    notices.certificate_issued(certificate)
    if user.partner is not None:
        onboarding_check(user.partner, actor=user)
    return certificate


def _recheck(enrollment_ids: list[int]) -> int:
    """Issue what is now due to these enrollments, each under its own row lock (the caller's
    transaction). Only people still taking the course: active partner users it is assigned to."""
    from .progress import enrollment_renew_if_expired

    issued = 0
    for pk in enrollment_ids:
        enrollment = (
            Enrollment.objects.select_for_update(of=("self",))
            .select_related("user__partner", "course")
            .filter(pk=pk, completed_at__isnull=True)
            .first()
        )
        if enrollment is None:
            continue
        user, course = enrollment.user, enrollment.course
        if course.status != CourseStatus.PUBLISHED:
            continue
        if not (active_user(user) and user.is_partner_user and course_assigned(user, course)):
            continue
        if enrollment_renew_if_expired(enrollment):
            continue  # a fresh cycle has nothing done yet
        if certificate_issue_if_complete(enrollment) is not None:
            issued += 1
    return issued


def course_recheck(course: Course) -> int:
    """After a lesson or question of `course` went away: certify whoever has now done it all.
    Runs in the caller's transaction (the change and the certificates commit together)."""
    ids = Enrollment.objects.filter(course=course, completed_at__isnull=True).order_by("pk")
    return _recheck(list(ids.values_list("pk", flat=True)))


def enrollments_recheck() -> int:
    """The daily catch-up: every open enrollment of a published course, one transaction each."""
    ids = Enrollment.objects.filter(
        course__status=CourseStatus.PUBLISHED, completed_at__isnull=True
    ).order_by("pk")
    issued = 0
    for pk in list(ids.values_list("pk", flat=True)):
        with transaction.atomic():
            issued += _recheck([pk])
    return issued
