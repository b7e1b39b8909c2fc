"""Writing courses: lessons, files, quiz questions, and the course's status.

The rules live here and are called by the admin as well (its forms and formsets), so a bad
question or an empty course is refused however it is entered:
- a question has at least two answers and at least one correct one; a single-choice question
  exactly one;
- a course is published only with at least one published lesson and, if it has a quiz, only
  when every question is sound; a published course keeps at least one published lesson (checked
  on the course as a whole, so one save may swap which lesson is published);
- a lesson stays in the course it was written for (Lesson.clean).
When a lesson is unpublished or deleted, or a question deleted, learners who have now done
everything left are certified (partners.academy.certificates.course_recheck).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from prm.core.workflow import transition, transition_start

from .certificates import course_recheck
from .models import (
    COURSE_TRANSITIONS,
    Choice,
    Course,
    CourseStatus,
    CourseStatusChange,
    Lesson,
    LessonFile,
    Question,
    QuestionKind,
)


@dataclass(frozen=True)
class ChoiceIn:
    text: str
    is_correct: bool = False
    text_en: str = ""


def choices_check(kind: str, choices: Sequence[ChoiceIn]) -> None:
    """Refuse answers a question cannot be scored on (a ValidationError for `choices`)."""
    kept = [c for c in choices if c.text.strip()]
    correct = sum(1 for c in kept if c.is_correct)
    if len(kept) < 2:
        message = _("Give at least two answers to choose from.")
    elif correct == 0:
        message = _("Mark the correct answer.")
    elif kind == QuestionKind.SINGLE and correct != 1:
        message = _(
            "A single-choice question has exactly one correct answer; %(n)d are marked."
        ) % {"n": correct}
    else:
        return
    raise ValidationError({"choices": message})


@transaction.atomic
def course_create(*, code: str, title: str, actor: Any = None, **fields: Any) -> Course:
    course = Course(code=code, title=title, **fields)
    course.created_by = actor if getattr(actor, "is_authenticated", False) else None
    course.full_clean()
    course.save()
    transition_start(course, history_model=CourseStatusChange, history_fk="course", actor=actor)
    return course


@transaction.atomic
def lesson_add(*, course: Course, title: str, **fields: Any) -> Lesson:
    lesson = Lesson(course=course, title=title, **fields)
    if "position" not in fields:
        lesson.position = course.lessons.count() + 1
    lesson.full_clean()
    lesson.save()
    return lesson


@transaction.atomic
def lesson_file_add(*, lesson: Lesson, upload: UploadedFile, title: str = "") -> LessonFile:
    """Store a PDF or MP4 for a lesson; anything else is refused at `file`, nothing stored."""
    lesson_file = LessonFile(lesson=lesson, title=title, file=upload)
    lesson_file.full_clean()  # LessonFile.clean() checks the content
    lesson_file.save()
    return lesson_file


@transaction.atomic
def question_save(
    *,
    course: Course,
    text: str,
    choices: Sequence[ChoiceIn],
    kind: str = QuestionKind.SINGLE,
    text_en: str = "",
    question: Question | None = None,
    position: int | None = None,
) -> Question:
    """Create (or replace the text and answers of) a quiz question, all or nothing."""
    choices_check(kind, choices)
    question = question or Question(course=course)
    question.kind, question.text, question.text_en = kind, text, text_en
    if position is not None:
        question.position = position
    elif question.pk is None:
        question.position = course.questions.count() + 1
    question.full_clean()
    question.save()
    question.choices.all().delete()
    Choice.objects.bulk_create(
        [
            Choice(
                question=question,
                position=n,
                text=c.text.strip(),
                text_en=c.text_en.strip(),
                is_correct=c.is_correct,
            )
            for n, c in enumerate((c for c in choices if c.text.strip()), start=1)
        ]
    )
    return question


def published_lessons_check(course: Course) -> None:
    """Refuse (as it stands in the database, inside the caller's transaction) a published course
    left without a published lesson."""
    if course.status != CourseStatus.PUBLISHED:
        return
    if not Lesson.objects.filter(course_id=course.pk, is_published=True).exists():
        raise ValidationError(
            {"is_published": _("A published course keeps at least one published lesson.")}
        )


@transaction.atomic
def lesson_save(lesson: Lesson) -> Lesson:
    """Save an edited lesson (or several through `lessons_saved` below); all or nothing."""
    course = Course.objects.select_for_update().get(pk=lesson.course_id)
    lesson.full_clean()
    lesson.save()
    lessons_saved(course)
    return lesson


def lessons_saved(course: Course) -> None:
    """After lessons of `course` were changed or deleted (in the caller's transaction): the
    course still has a published lesson, and whoever has now done them all is certified."""
    published_lessons_check(course)
    course_recheck(course)


@transaction.atomic
def lesson_delete(lesson: Lesson) -> None:
    course = Course.objects.select_for_update().get(pk=lesson.course_id)
    lesson.delete()
    lessons_saved(course)


@transaction.atomic
def question_delete(question: Question) -> None:
    course = Course.objects.select_for_update().get(pk=question.course_id)
    question.delete()
    course_recheck(course)


def lesson_is_last_published(lesson: Lesson) -> bool:
    """The only published lesson of a published course (it may not go while the course is up)."""
    if not lesson.is_published or lesson.course.status != CourseStatus.PUBLISHED:
        return False
    others = Lesson.objects.filter(course_id=lesson.course_id, is_published=True)
    return not others.exclude(pk=lesson.pk).exists()


def course_problems(course: Course) -> list[str]:
    """Why `course` cannot be published (empty: it can)."""
    problems = []
    if not course.lessons.filter(is_published=True).exists():
        problems.append(_("A course needs at least one published lesson."))
    questions = course.questions.prefetch_related("choices")
    for n, question in enumerate(questions, start=1):
        choices = [ChoiceIn(c.text, c.is_correct) for c in question.choices.all()]
        try:
            choices_check(question.kind, choices)
        except ValidationError as exc:
            problems.append(
                _("Question %(n)d: %(problem)s") % {"n": n, "problem": " ".join(exc.messages)}
            )
    return problems


def _move(course: Course, to: str, *, actor: Any, reason: str = "") -> Course:
    moved = transition(
        course,
        to,
        table=COURSE_TRANSITIONS,
        history_model=CourseStatusChange,
        history_fk="course",
        actor=actor,
        reason=reason,
    )
    assert isinstance(moved, Course)
    return moved


@transaction.atomic
def course_publish(course: Course, *, actor: Any = None, reason: str = "") -> Course:
    """Open the course to the partners of its paths; refused with every reason it is not ready."""
    locked = Course.objects.select_for_update().get(pk=course.pk)
    problems = course_problems(locked)
    if problems:
        raise ValidationError(problems)
    moved = _move(locked, CourseStatus.PUBLISHED, actor=actor, reason=reason)
    if moved.published_at is None:
        moved.published_at = timezone.now()
        moved.save(update_fields=["published_at"])
    course.published_at = moved.published_at
    return moved


@transaction.atomic
def course_archive(course: Course, *, actor: Any = None, reason: str = "") -> Course:
    """No longer assigned or taken; certificates already issued stay valid."""
    return _move(course, CourseStatus.ARCHIVED, actor=actor, reason=reason)
