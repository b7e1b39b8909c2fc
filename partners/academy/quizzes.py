"""Taking a course's quiz: answers checked, scored here, attempts counted under a lock.

Scoring: each question scores 1 or 0. A single-choice question scores when the one answer
chosen is the correct one; a multiple-choice question scores only when the set of answers
chosen equals the set of correct answers exactly (one missing or one extra scores 0). The score
is correct ÷ questions * 100, half-up to 2 decimal places (2 of 3 is 66.67); the quiz is passed
when the score is at least the course's pass mark.

Attempts: the course allows `max_attempts` per cycle (0: no limit), plus any extra attempts the
vendor granted the person for the cycle (partners.academy.attempts). The enrollment row is
locked before counting, so two submissions at the same moment are counted one after the other
and cannot pass the limit together. An incomplete or malformed submission is refused before
anything is counted. After a pass no further attempt is taken in that cycle."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from prm.accounts.models import User

from .certificates import certificate_issue_if_complete
from .models import Course, Enrollment, Question, QuestionKind, QuizAttempt
from .progress import check_can_take, enrollment_lock

CENT = Decimal("0.01")


@dataclass(frozen=True)
class Key:
    """What scoring needs of a question: its id, kind and the ids of its correct answers."""

    question_id: int
    kind: str
    correct: frozenset[int]


@dataclass(frozen=True)
class Score:
    correct: int
    total: int
    percent: Decimal
    wrong: tuple[int, ...]


def score_answers(keys: Sequence[Key], answers: Mapping[int, Sequence[int]]) -> Score:
    wrong = tuple(k.question_id for k in keys if set(answers.get(k.question_id, ())) != k.correct)
    total = len(keys)
    correct = total - len(wrong)
    percent = (Decimal(correct * 100) / Decimal(total)).quantize(CENT, ROUND_HALF_UP)
    return Score(correct, total, percent, wrong)


def quiz_keys(course: Course) -> tuple[list[Question], list[Key]]:
    questions = list(course.questions.prefetch_related("choices").order_by("position", "pk"))
    keys = [
        Key(q.pk, q.kind, frozenset(c.pk for c in q.choices.all() if c.is_correct))
        for q in questions
    ]
    return questions, keys


def answers_check(
    questions: Sequence[Question], answers: Mapping[int, Sequence[int]]
) -> dict[int, list[int]]:
    """The answers as stored, or a ValidationError keyed `q-<id>` for each bad question."""
    errors: dict[str, str] = {}
    clean: dict[int, list[int]] = {}
    for question in questions:
        chosen = sorted(set(answers.get(question.pk, ())))
        offered = {c.pk for c in question.choices.all()}
        if not chosen:
            errors[f"q-{question.pk}"] = _("Answer this question.")
        elif not set(chosen) <= offered:
            errors[f"q-{question.pk}"] = _("Choose among the answers offered.")
        elif question.kind == QuestionKind.SINGLE and len(chosen) > 1:
            errors[f"q-{question.pk}"] = _("Choose one answer.")
        else:
            clean[question.pk] = chosen
    if errors:
        raise ValidationError(errors)
    return clean


def attempts_used(enrollment: Enrollment) -> int:
    return QuizAttempt.objects.filter(enrollment=enrollment, cycle=enrollment.cycle).count()


def attempts_allowed(course: Course, extra: int = 0) -> int | None:
    """None: no limit."""
    return None if not course.max_attempts else course.max_attempts + extra


def attempts_left(course: Course, used: int, extra: int = 0) -> int | None:
    """None: no limit."""
    allowed = attempts_allowed(course, extra)
    return None if allowed is None else max(allowed - used, 0)


@transaction.atomic
def quiz_submit(*, user: User, course: Course, answers: Mapping[int, Sequence[int]]) -> QuizAttempt:
    """Score one attempt and store it; passing may complete the course (and certify)."""
    check_can_take(user, course)
    questions, keys = quiz_keys(course)
    if not questions:
        raise ValidationError(_("This course has no quiz."))
    clean = answers_check(questions, answers)
    enrollment = enrollment_lock(user, course)
    attempts = QuizAttempt.objects.filter(enrollment=enrollment, cycle=enrollment.cycle)
    if attempts.filter(passed=True).exists():
        raise ValidationError(_("You have already passed this quiz."))
    used = attempts.count()
    allowed = attempts_allowed(course, enrollment.extra_attempts)
    if allowed is not None and used >= allowed:
        raise ValidationError(
            ngettext(
                "No attempts left: the quiz may be taken %(n)d time.",
                "No attempts left: the quiz may be taken %(n)d times.",
                allowed,
            )
            % {"n": allowed}
        )
    score = score_answers(keys, clean)
    attempt = QuizAttempt.objects.create(
        enrollment=enrollment,
        cycle=enrollment.cycle,
        number=used + 1,
        answers={str(k): v for k, v in clean.items()},
        wrong=list(score.wrong),
        correct_count=score.correct,
        question_count=score.total,
        score=score.percent,
        pass_mark=course.pass_mark,
        passed=score.percent >= course.pass_mark,
        final=allowed is not None and used + 1 >= allowed,
    )
    if attempt.passed:
        certificate_issue_if_complete(enrollment)
    return attempt
