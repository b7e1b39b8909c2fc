"""Who is assigned which course: the published courses of the active learning paths that match
a partner (its type, tier and region: the rule of partners.audience) and a person's role.

Paths are few, partners and people many, so the paths are read once and matched here in Python;
`path_matches` is the same rule as `partners.audience.audience_filter` (a test holds them
together). A course in several matching paths is required if any of them requires it."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Prefetch

from partners.audience import region_includes
from partners.models import Partner
from prm.accounts.models import User
from prm.accounts.roles import PARTNER_ROLES

from .models import Course, CourseStatus, LearningPath, PathCourse, PathRole


@dataclass(frozen=True)
class Assignment:
    course: Course
    required: bool
    paths: tuple[str, ...]  # the titles of the paths that assign it, for the reader


def active_paths() -> list[LearningPath]:
    """Active paths with their audience and published courses, in order (four queries)."""
    items = (
        PathCourse.objects.filter(course__status=CourseStatus.PUBLISHED)
        .select_related("course")
        .order_by("position", "pk")
    )
    return list(
        LearningPath.objects.filter(is_active=True)
        .prefetch_related("tiers", "regions", Prefetch("items", queryset=items))
        .order_by("position", "code")
    )


def path_matches(path: LearningPath, partner: Partner) -> bool:
    if path.partner_types and partner.partner_type not in path.partner_types:
        return False
    tiers = {tier.pk for tier in path.tiers.all()}
    if tiers and partner.tier_id not in tiers:
        return False
    regions = path.regions.all()
    return not regions or region_includes(regions, partner.region)


def _for_role(path: LearningPath, role: str) -> bool:
    return path.role == PathRole.ANY or path.role == role


def assignments_from(paths: Iterable[LearningPath]) -> list[Assignment]:
    """The courses of `paths` in path order, each once."""
    found: dict[int, Assignment] = {}
    for path in paths:
        for item in path.items.all():
            seen = found.get(item.course_id)
            if seen is None:
                found[item.course_id] = Assignment(
                    item.course, item.required, (path.display_title,)
                )
            else:
                found[item.course_id] = Assignment(
                    seen.course, seen.required or item.required, (*seen.paths, path.display_title)
                )
    return list(found.values())


def assignments_for(user: User, *, paths: list[LearningPath] | None = None) -> list[Assignment]:
    """What `user` is assigned; nothing for vendor staff or a user without a partner."""
    if user.role not in PARTNER_ROLES or user.partner is None:
        return []
    paths = active_paths() if paths is None else paths
    return assignments_from(
        p for p in paths if _for_role(p, user.role) and path_matches(p, user.partner)
    )


def assignments_by_user(
    users: Iterable[User], partners: dict[int, Partner], paths: list[LearningPath]
) -> dict[int, list[Assignment]]:
    """Many people at once: `partners` holds each user's partner by id (no query here)."""
    matching: dict[int, list[LearningPath]] = {
        pk: [p for p in paths if path_matches(p, partner)] for pk, partner in partners.items()
    }
    result = {}
    for user in users:
        own = matching.get(user.partner_id or 0, [])
        result[user.pk] = assignments_from(p for p in own if _for_role(p, user.role))
    return result


def required_course_ids(partner: Partner, paths: list[LearningPath] | None = None) -> set[int]:
    """The courses the partner's paths require of someone (any role) at the company."""
    paths = active_paths() if paths is None else paths
    return {
        item.course_id
        for path in paths
        if path_matches(path, partner)
        for item in path.items.all()
        if item.required
    }


def course_assigned(user: User, course: Course) -> bool:
    return course.status == CourseStatus.PUBLISHED and any(
        a.course.pk == course.pk for a in assignments_for(user)
    )
