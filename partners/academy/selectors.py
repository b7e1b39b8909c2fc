"""What each user may see of the academy. Every page, file and PDF takes its rows from here.

- Courses, lessons and their files: a partner's user sees the published lessons of the
  published courses assigned to them; vendor staff see every course.
- Certificates belong to the company they were issued under (`Certificate.partner`): a
  person always sees their own; a partner admin also those issued under their company (not
  those a newcomer earned at an earlier employer, while the old company keeps seeing those);
  channel managers those of their partners; other vendor staff all
  (prm.accounts.visibility). Quiz attempts: only the person who made them.
Anything else is a 404."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy, pgettext_lazy

from prm.accounts.roles import Role
from prm.accounts.visibility import scope_to_partner

from . import dates
from .assignments import course_assigned
from .certificates import normalize_code
from .models import Certificate, Course, CourseStatus, Lesson, LessonFile, QuizAttempt


def _staff(user: Any) -> bool:
    return bool(
        getattr(user, "is_authenticated", False) and user.is_active and user.is_vendor_staff
    )


def course_get_visible(*, user: Any, pk: int) -> Course | None:
    course = Course.objects.filter(pk=pk).first()
    if course is None:
        return None
    if _staff(user):
        return course
    if getattr(user, "is_partner_user", False) and user.is_active and course_assigned(user, course):
        return course
    return None


def lesson_get_visible(*, user: Any, pk: int) -> Lesson | None:
    lesson = Lesson.objects.select_related("course").filter(pk=pk).first()
    if lesson is None:
        return None
    if _staff(user):
        return lesson
    if not lesson.is_published or course_get_visible(user=user, pk=lesson.course_id) is None:
        return None
    return lesson


def lesson_file_get_visible(*, user: Any, pk: int) -> LessonFile | None:
    lesson_file = LessonFile.objects.filter(pk=pk).first()
    if lesson_file is None or lesson_get_visible(user=user, pk=lesson_file.lesson_id) is None:
        return None
    return lesson_file


def certificates_visible_to(user: Any) -> QuerySet[Certificate]:
    qs = Certificate.objects.select_related("course", "partner", "user")
    if getattr(user, "is_partner_user", False):
        if not user.is_active:
            return qs.none()
        if user.role == Role.PARTNER_ADMIN and user.partner_id is not None:
            return qs.filter(Q(user=user) | Q(partner_id=user.partner_id))
        return qs.filter(user=user)
    return scope_to_partner(qs, user, partner_path="partner")


def certificate_get_visible(*, user: Any, pk: int) -> Certificate | None:
    return certificates_visible_to(user).filter(pk=pk).first()


def attempt_get_visible(*, user: Any, pk: int) -> QuizAttempt | None:
    if not (getattr(user, "is_authenticated", False) and user.is_active):
        return None
    return (
        QuizAttempt.objects.select_related("enrollment__course")
        .filter(pk=pk, enrollment__user=user)
        .first()
    )


def courses_published() -> QuerySet[Course]:
    return Course.objects.filter(status=CourseStatus.PUBLISHED)


STATE_CHOICES = [
    ("valid", pgettext_lazy("certificate state", "Valid")),
    ("expired", gettext_lazy("Expired")),
]


class CertificateFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=gettext_lazy("Search"))
    course = django_filters.ModelChoiceFilter(
        queryset=Course.objects.order_by("code"),
        label=gettext_lazy("Course"),
        empty_label=gettext_lazy("All"),
    )
    state = django_filters.ChoiceFilter(
        choices=STATE_CHOICES,
        method="by_state",
        label=gettext_lazy("Status"),
        empty_label=gettext_lazy("All"),
    )

    class Meta:
        model = Certificate
        fields = ["q", "course", "state"]

    def search(self, queryset: QuerySet[Certificate], name: str, value: str) -> Any:
        value = value.strip()
        if not value:
            return queryset
        match = Q(holder_name__icontains=value) | Q(partner__name__icontains=value)
        code = normalize_code(value)
        if code:
            match |= Q(code=code)
        return queryset.filter(match)

    def by_state(self, queryset: QuerySet[Certificate], name: str, value: str) -> Any:
        valid = Q(expires_on__isnull=True) | Q(expires_on__gt=dates.today())
        if value == "valid":
            return queryset.filter(valid)
        if value == "expired":
            return queryset.exclude(valid)
        return queryset
