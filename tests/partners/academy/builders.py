"""Builders for academy tests; each goes through the services the app uses."""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence
from typing import Any

from partners.academy.courses import (
    ChoiceIn,
    course_create,
    course_publish,
    lesson_add,
    question_save,
)
from partners.academy.models import (
    Certificate,
    Course,
    LearningPath,
    PathCourse,
    PathRole,
    QuestionKind,
)
from partners.academy.progress import lesson_complete
from partners.academy.quizzes import quiz_submit
from prm.accounts.models import User

_seq = itertools.count(1)

# (kind, [(answer, correct), ...]) per question
THREE_QUESTIONS: list[tuple[str, list[tuple[str, bool]]]] = [
    (QuestionKind.SINGLE, [("甲", True), ("乙", False), ("丙", False)]),
    (QuestionKind.MULTIPLE, [("甲", True), ("乙", True), ("丙", False)]),
    (QuestionKind.SINGLE, [("甲", False), ("乙", True)]),
]


def make_course(
    *,
    lessons: int = 2,
    questions: Sequence[tuple[str, list[tuple[str, bool]]]] = THREE_QUESTIONS,
    publish: bool = True,
    **fields: Any,
) -> Course:
    n = next(_seq)
    fields.setdefault("code", f"course-{n}")
    fields.setdefault("title", f"课程{n}")
    fields.setdefault("title_en", f"Course {n}")
    course = course_create(**fields)
    for i in range(1, lessons + 1):
        lesson_add(course=course, title=f"第{i}课", title_en=f"Lesson {i}", body=f"<p>内容{i}</p>")
    for kind, answers in questions:
        question_save(
            course=course,
            text=f"问题{n}",
            kind=kind,
            choices=[ChoiceIn(text, ok) for text, ok in answers],
        )
    if publish:
        course = course_publish(course)
    course.refresh_from_db()
    return course


def make_path(
    *courses: Course | tuple[Course, bool],
    role: str = PathRole.ANY,
    partner_types: Iterable[str] = (),
    tiers: Iterable[Any] = (),
    regions: Iterable[Any] = (),
) -> LearningPath:
    n = next(_seq)
    path = LearningPath.objects.create(
        code=f"path-{n}",
        title=f"路径{n}",
        role=role,
        partner_types=list(partner_types),
        position=n,
    )
    path.tiers.set(list(tiers))
    path.regions.set(list(regions))
    for position, item in enumerate(courses, start=1):
        course, required = item if isinstance(item, tuple) else (item, True)
        PathCourse.objects.create(path=path, course=course, position=position, required=required)
    return path


def answers(course: Course, *, right: Iterable[int] = (), all_right: bool = False) -> dict:
    """Answers to every question: correct for the positions in `right` (1-based) or for all,
    else one wrong answer."""
    chosen = {}
    wanted = set(right)
    for n, question in enumerate(course.questions.order_by("position", "pk"), start=1):
        choices = list(question.choices.order_by("position", "pk"))
        if all_right or n in wanted:
            chosen[question.pk] = [c.pk for c in choices if c.is_correct]
        else:
            chosen[question.pk] = [next(c.pk for c in choices if not c.is_correct)]
    return chosen


def complete_lessons(user: User, course: Course) -> Certificate | None:
    issued = None
    for lesson in course.lessons.filter(is_published=True).order_by("position", "pk"):
        issued = lesson_complete(user=user, lesson=lesson) or issued
    return issued


def certify(user: User, course: Course) -> Certificate:
    complete_lessons(user, course)
    if course.questions.exists():
        quiz_submit(user=user, course=course, answers=answers(course, all_right=True))
    latest = Certificate.objects.filter(user=user, course=course).order_by("-cycle").first()
    assert latest is not None
    return latest
