"""Where people stand in their courses: one `Progress` per person and assigned course, read in
a fixed number of queries however many people and courses (my learning, the course page, the
partner admin's team page).

A person's standing in a course:
- certified: holds a certificate of it that is valid today;
- expired: the latest certificate has expired (the course is taken again for a new one);
- in progress: something done in the current cycle;
- not started.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db import models
from django.db.models import Count, F, Max, Q
from django.utils.translation import gettext_lazy as _

from prm.accounts.models import User

from . import dates
from .assignments import Assignment
from .models import Certificate, Course, Enrollment, Lesson, LessonCompletion, Question
from .quizzes import attempts_left


class Standing(models.TextChoices):
    NOT_STARTED = "not_started", _("Not started")
    IN_PROGRESS = "in_progress", _("In progress")
    CERTIFIED = "certified", _("Certified")
    EXPIRED = "expired", _("Certificate expired")


@dataclass(frozen=True)
class Progress:
    course: Course
    required: bool
    standing: str
    lessons_total: int
    lessons_done: int
    questions: int
    attempts_used: int
    attempts_left: int | None
    best_score: Decimal | None
    passed: bool
    certificate: Certificate | None  # the latest, valid or not
    enrollment: Enrollment | None

    @property
    def standing_label(self) -> str:
        return str(Standing(self.standing).label)

    @property
    def lessons_percent(self) -> int:
        return round(100 * self.lessons_done / self.lessons_total) if self.lessons_total else 0

    @property
    def has_quiz(self) -> bool:
        return self.questions > 0


def _counts(model: type[models.Model], course_ids: set[int], **filters: object) -> dict[int, int]:
    rows = (
        model._default_manager.filter(course_id__in=course_ids, **filters)
        .order_by()
        .values("course_id")
        .annotate(n=Count("pk"))
        .values_list("course_id", "n")
    )
    return dict(rows)


def enrollments_with_counts(**filters: object) -> models.QuerySet[Enrollment]:
    """Enrollments with what was done in their current cycle (one query)."""
    in_cycle = Q(attempts__cycle=F("cycle"))
    return Enrollment.objects.filter(**filters).annotate(
        done=Count(
            "completions__lesson",
            filter=Q(completions__cycle=F("cycle"), completions__lesson__is_published=True),
            distinct=True,
        ),
        used=Count("attempts", filter=in_cycle, distinct=True),
        passed_count=Count("attempts", filter=in_cycle & Q(attempts__passed=True), distinct=True),
        best=Max("attempts__score", filter=in_cycle),
    )


def progress_table(
    users: Iterable[User],
    assignments: dict[int, list[Assignment]],
    *,
    company_id: int | None = None,
) -> dict[int, list[Progress]]:
    """Each user's progress in their assigned courses, in assignment order (four queries).
    With `company_id` (a partner admin's team) only certificates issued under that company
    count: one a person earned at an earlier employer is not the new company's."""
    user_ids = [u.pk for u in users]
    course_ids = {a.course.pk for items in assignments.values() for a in items}
    if not user_ids or not course_ids:
        return {pk: [] for pk in user_ids}
    enrollments = {
        (e.user_id, e.course_id): e
        for e in enrollments_with_counts(user_id__in=user_ids, course_id__in=course_ids)
    }
    latest: dict[tuple[int, int], Certificate] = {}
    certificates = Certificate.objects.filter(user_id__in=user_ids, course_id__in=course_ids)
    if company_id is not None:
        certificates = certificates.filter(partner_id=company_id)
    for certificate in certificates.order_by("user_id", "course_id", "-cycle"):
        latest.setdefault((certificate.user_id, certificate.course_id), certificate)
    lessons = _counts(Lesson, course_ids, is_published=True)
    questions = _counts(Question, course_ids)
    today = dates.today()
    return {
        pk: [
            _progress(
                a,
                enrollments.get((pk, a.course.pk)),
                latest.get((pk, a.course.pk)),
                lessons.get(a.course.pk, 0),
                questions.get(a.course.pk, 0),
                today,
            )
            for a in assignments.get(pk, [])
        ]
        for pk in user_ids
    }


def _progress(
    assignment: Assignment,
    enrollment: Enrollment | None,
    certificate: Certificate | None,
    lessons: int,
    questions: int,
    today: date,
) -> Progress:
    course = assignment.course
    done = used = 0
    best: Decimal | None = None
    passed = False
    # An expired certificate of the enrollment's own cycle: the next step starts a new cycle,
    # so what that cycle did no longer counts.
    stale = (
        certificate is not None
        and enrollment is not None
        and (certificate.cycle == enrollment.cycle and not certificate.is_valid_on(today))
    )
    if enrollment is not None and not stale:
        done = getattr(enrollment, "done", 0)
        used = getattr(enrollment, "used", 0)
        best = getattr(enrollment, "best", None)
        passed = getattr(enrollment, "passed_count", 0) > 0
    if certificate is not None and certificate.is_valid_on(today):
        standing = Standing.CERTIFIED
    elif certificate is not None:
        standing = Standing.EXPIRED
    elif done or used:
        standing = Standing.IN_PROGRESS
    else:
        standing = Standing.NOT_STARTED
    return Progress(
        course=course,
        required=assignment.required,
        standing=standing,
        lessons_total=lessons,
        lessons_done=min(done, lessons),
        questions=questions,
        attempts_used=used,
        attempts_left=attempts_left(
            course, used, enrollment.extra_attempts if enrollment is not None and not stale else 0
        ),
        best_score=best,
        passed=passed,
        certificate=certificate,
        enrollment=enrollment,
    )


def lessons_done(progress: Progress) -> set[int]:
    """The lessons of the course done in the cycle that counts now (for ticks on its page)."""
    enrollment = progress.enrollment
    if enrollment is None or (progress.lessons_done == 0 and progress.attempts_used == 0):
        return set()
    return set(
        LessonCompletion.objects.filter(enrollment=enrollment, cycle=enrollment.cycle).values_list(
            "lesson_id", flat=True
        )
    )
