"""The vendor's numbers: each course's uptake, and the completion report.

Completion of a course = people who passed it ÷ people assigned it. "Passed" means holding a
certificate of the course that is valid today; people whose certificate has expired are counted
apart (they must take it again), as are people who started but have not finished. People are
the active partner users of the partners the reader sees (prm.accounts.visibility), excluding
terminated partners. Every number is computed in a fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import django_filters
from django.db.models import Count, F, Q, QuerySet
from django.utils.translation import gettext_lazy

from partners.models import Partner, PartnerStatus, Region
from prm.accounts.models import User
from prm.accounts.roles import PARTNER_ROLES
from prm.accounts.visibility import scope_to_partner
from prm.core.widgets import SearchSelect

from . import dates
from .assignments import active_paths, assignments_by_user
from .models import Certificate, Course, Enrollment, QuizAttempt

TENTH = Decimal("0.1")


def percent(part: int, whole: int) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part * 100) / Decimal(whole)).quantize(TENTH, ROUND_HALF_UP)


def _valid_today() -> Q:
    return Q(expires_on__isnull=True) | Q(expires_on__gt=dates.today())


# --- courses list ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class CourseStats:
    course: Course
    enrolled: int
    certified: int
    tried: int
    passed: int

    @property
    def pass_rate(self) -> Decimal | None:
        """People who passed the quiz ÷ people who attempted it."""
        return percent(self.passed, self.tried)


def course_stats(user: Any) -> list[CourseStats]:
    """Every course with its numbers among the people `user` sees (four queries)."""
    courses = Course.objects.annotate(
        lesson_count=Count("lessons", filter=Q(lessons__is_published=True), distinct=True),
        question_count=Count("questions", distinct=True),
    ).order_by("status", "code")
    enrolled = dict(
        scope_to_partner(Enrollment.objects.all(), user, partner_path="user__partner")
        .order_by()
        .values("course_id")
        .annotate(n=Count("user_id", distinct=True))
        .values_list("course_id", "n")
    )
    certified = dict(
        scope_to_partner(Certificate.objects.filter(_valid_today()), user, partner_path="partner")
        .order_by()
        .values("course_id")
        .annotate(n=Count("user_id", distinct=True))
        .values_list("course_id", "n")
    )
    tries = {
        row["enrollment__course_id"]: row
        for row in scope_to_partner(
            QuizAttempt.objects.all(), user, partner_path="enrollment__user__partner"
        )
        .order_by()
        .values("enrollment__course_id")
        .annotate(
            tried=Count("enrollment__user_id", distinct=True),
            passed=Count("enrollment__user_id", filter=Q(passed=True), distinct=True),
        )
    }
    return [
        CourseStats(
            course=c,
            enrolled=enrolled.get(c.pk, 0),
            certified=certified.get(c.pk, 0),
            tried=tries.get(c.pk, {}).get("tried", 0),
            passed=tries.get(c.pk, {}).get("passed", 0),
        )
        for c in courses
    ]


# --- completion report ----------------------------------------------------------------------------


@dataclass
class Line:
    """One partner and course; a course's total has no partner, the grand total neither."""

    course: Course | None = None
    partner: Partner | None = None
    assigned: int = 0
    in_progress: int = 0
    passed: int = 0
    expired: int = 0

    @property
    def not_started(self) -> int:
        return self.assigned - self.in_progress - self.passed - self.expired

    @property
    def completion(self) -> Decimal | None:
        return percent(self.passed, self.assigned)

    def add(self, other: Line) -> None:
        self.assigned += other.assigned
        self.in_progress += other.in_progress
        self.passed += other.passed
        self.expired += other.expired


def _order(line: Line) -> tuple[str, str]:
    return (line.partner.name if line.partner else "", line.course.code if line.course else "")


@dataclass
class Report:
    lines: list[Line] = field(default_factory=list)  # by partner, then course
    by_course: list[Line] = field(default_factory=list)
    total: Line | None = None


def _partners(user: Any, partner: Partner | None, region: Region | None) -> QuerySet[Partner]:
    qs = scope_to_partner(Partner.objects.all(), user, partner_path="")
    if partner is not None:
        qs = qs.filter(pk=partner.pk)
    if region is not None:
        qs = qs.filter(region__in=[n for n in (region.name, region.name_en) if n])
    return qs


def completion_report(
    *,
    user: Any,
    partner: Partner | None = None,
    region: Region | None = None,
    course: Course | None = None,
) -> Report:
    return partners_completion(partners=_partners(user, partner, region), course=course)


def partners_completion(*, partners: QuerySet[Partner], course: Course | None = None) -> Report:
    """The report over the people of `partners`, a queryset the caller has already scoped to
    what its reader may see (the cockpit passes its filtered partners); terminated partners are
    left out here, as in every completion number."""
    people = list(
        User.objects.filter(
            partner__in=partners.exclude(status=PartnerStatus.TERMINATED),
            is_active=True,
            role__in=sorted(PARTNER_ROLES),
        ).only("pk", "partner_id", "role")
    )
    # Only the partners with people have lines; a vendor may have thousands without any yet.
    partners_by_pk = {
        p.pk: p
        for p in Partner.objects.filter(pk__in={u.partner_id for u in people}).only(
            "pk", "name", "name_en", "partner_type", "tier_id", "region"
        )
    }
    assigned = assignments_by_user(people, partners_by_pk, active_paths())
    ids = [p.pk for p in people]
    today = dates.today()
    holds: dict[tuple[int, int], str] = {}
    # A certificate counts for the company it was issued under (one a person brought from an
    # earlier employer does not).
    mine = Certificate.objects.filter(user_id__in=ids, partner_id=F("user__partner_id"))
    for user_id, course_id, expires_on in mine.values_list("user_id", "course_id", "expires_on"):
        valid = expires_on is None or today < expires_on
        if valid or (user_id, course_id) not in holds:
            holds[(user_id, course_id)] = "passed" if valid else "expired"
    started = set(Enrollment.objects.filter(user_id__in=ids).values_list("user_id", "course_id"))
    lines: dict[tuple[int, int], Line] = {}
    for person in people:
        for item in assigned[person.pk]:
            if course is not None and item.course.pk != course.pk:
                continue
            key = (person.partner_id or 0, item.course.pk)
            line = lines.setdefault(key, Line(item.course, partners_by_pk[key[0]]))
            line.assigned += 1
            state = holds.get((person.pk, item.course.pk))
            if state == "passed":
                line.passed += 1
            elif state == "expired":
                line.expired += 1
            elif (person.pk, item.course.pk) in started:
                line.in_progress += 1
    ordered = sorted(lines.values(), key=_order)
    by_course: dict[int, Line] = {}
    total = Line()
    for line in ordered:
        assert line.course is not None
        by_course.setdefault(line.course.pk, Line(course=line.course)).add(line)
        total.add(line)
    return Report(
        lines=ordered,
        by_course=sorted(by_course.values(), key=_order),
        total=total if ordered else None,
    )


class CompletionFilter(django_filters.FilterSet):
    """The report's filters; the report itself is computed by `completion_report`."""

    partner = django_filters.ModelChoiceFilter(
        queryset=Partner.objects.none(),
        label=gettext_lazy("Partner"),
        empty_label=gettext_lazy("All"),
        method="keep",
        widget=SearchSelect("partners:search"),
    )
    region = django_filters.ModelChoiceFilter(
        queryset=Region.objects.filter(level=Region.Level.PROVINCE).order_by("code"),
        label=gettext_lazy("Region"),
        empty_label=gettext_lazy("All"),
        method="keep",
    )
    course = django_filters.ModelChoiceFilter(
        queryset=Course.objects.order_by("code"),
        label=gettext_lazy("Course"),
        empty_label=gettext_lazy("All"),
        method="keep",
    )

    class Meta:
        model = Partner
        fields: list[str] = []

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Only partners the reader sees are offered (and accepted).
        self.filters["partner"].queryset = scope_to_partner(
            Partner.objects.exclude(status=PartnerStatus.TERMINATED), user, partner_path=""
        ).order_by("name")

    def keep(self, queryset: QuerySet[Partner], name: str, value: Any) -> QuerySet[Partner]:
        return queryset
