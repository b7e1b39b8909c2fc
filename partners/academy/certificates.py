"""Issuing certificates, and finding one by its verification code.

A course is complete for a person when, in the current cycle, every published lesson is marked
done and the quiz is passed (or the course has no quiz). Completing it issues one certificate:
the enrollment row is locked by the caller and (person, course, cycle) is unique, so a repeated
or concurrent step never issues a second one. After the certificate expires the next cycle
starts (partners.academy.progress) and completing the course again issues a new certificate.

Verification codes are 12 characters of Crockford's base32 (60 random bits from `secrets`),
shown in three groups: K7QM-2X9D-HT4B. Reading them back forgives case, spaces, dashes and the
letters people confuse with digits (O for 0, I and L for 1)."""

from __future__ import annotations

import secrets

from django.db import IntegrityError, transaction
from django.utils import timezone

from . import dates, notices
from .models import Certificate, Enrollment, LessonCompletion, QuizAttempt

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
    certificate = Certificate(
        user=user,
        partner_id=user.partner_id,
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
