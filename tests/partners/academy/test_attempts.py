"""The attempts limit: counted per person and course under the enrollment's row lock, so two
submissions at the same moment cannot both pass it; refused submissions use no attempt."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.utils import translation

from partners.academy.models import Course, Enrollment, QuizAttempt
from partners.academy.quizzes import quiz_submit
from partners.models import PartnerStatus
from prm.accounts.models import User
from prm.accounts.roles import Role
from tests.concurrency import in_thread, run_concurrently
from tests.factories import make_partner, make_user
from tests.orders.test_ledger_concurrency import _remove

from .builders import answers, make_course, make_path


def _refusal(fn: Callable[[], object]) -> list[str]:
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        fn()
    return refused.value.messages


@pytest.mark.django_db
def test_the_limit_refuses_the_attempt_after_the_last(world):
    learner, course = world["learner"], world["course"]  # two attempts allowed
    wrong = answers(course)

    first = quiz_submit(user=learner, course=course, answers=wrong)
    second = quiz_submit(user=learner, course=course, answers=wrong)
    message = _refusal(lambda: quiz_submit(user=learner, course=course, answers=wrong))

    assert (first.number, second.number) == (1, 2)
    assert message == ["No attempts left: the quiz may be taken 2 times."]
    assert QuizAttempt.objects.filter(enrollment__user=learner).count() == 2


@pytest.mark.django_db
def test_an_incomplete_or_forged_submission_is_refused_at_its_question_and_costs_nothing(world):
    learner, course = world["learner"], world["course"]
    first, second, third = course.questions.order_by("position", "pk")
    full = answers(course, all_right=True)
    foreign = second.choices.first().pk  # an answer of another question
    both = [c.pk for c in third.choices.all()]  # two answers to a single-choice question

    with translation.override("en"), pytest.raises(ValidationError) as refused:
        quiz_submit(
            user=learner,
            course=course,
            answers={first.pk: [foreign], second.pk: full[second.pk], third.pk: both},
        )
    with translation.override("en"), pytest.raises(ValidationError) as missing:
        quiz_submit(user=learner, course=course, answers={first.pk: full[first.pk]})

    assert refused.value.message_dict == {
        f"q-{first.pk}": ["Choose among the answers offered."],
        f"q-{third.pk}": ["Choose one answer."],
    }
    assert missing.value.message_dict == {
        f"q-{second.pk}": ["Answer this question."],
        f"q-{third.pk}": ["Answer this question."],
    }
    assert not QuizAttempt.objects.exists()


@pytest.mark.django_db
def test_no_attempt_after_a_pass_and_no_limit_when_it_is_zero(world):
    learner = world["learner"]
    course = make_course(max_attempts=0)
    make_path(course)
    for _ in range(4):
        quiz_submit(user=learner, course=course, answers=answers(course))
    passed = quiz_submit(user=learner, course=course, answers=answers(course, all_right=True))

    message = _refusal(
        lambda: quiz_submit(user=learner, course=course, answers=answers(course, all_right=True))
    )

    assert (passed.number, passed.passed) == (5, True)
    assert message == ["You have already passed this quiz."]


@pytest.mark.django_db
def test_only_people_assigned_the_course_take_its_quiz(world):
    course = make_course()  # in no path
    with pytest.raises(PermissionDenied):
        quiz_submit(user=world["learner"], course=course, answers=answers(course))
    with pytest.raises(PermissionDenied):
        quiz_submit(user=world["manager"], course=world["course"], answers=answers(course))
    assert not Enrollment.objects.exists()


def test_two_submissions_at_the_same_moment_cannot_pass_the_limit(tenant_a):
    def setup() -> dict[str, int]:
        partner = make_partner(status=PartnerStatus.APPLIED)
        learner = make_user(Role.PARTNER_USER, partner=partner)
        course = make_course(code="race-course", max_attempts=1)
        path = make_path(course)
        return {"partner": partner.pk, "learner": learner.pk, "course": course.pk, "path": path.pk}

    ids = in_thread("alpha", setup)

    def submit() -> str:
        course = Course.objects.get(pk=ids["course"])
        try:
            with translation.override("en"):
                quiz_submit(
                    user=User.objects.get(pk=ids["learner"]), course=course, answers=answers(course)
                )
        except ValidationError as exc:
            return " ".join(exc.messages)
        return "scored"

    try:
        outcomes = run_concurrently("alpha", [submit, submit])
        counted = in_thread(
            "alpha",
            lambda: list(
                QuizAttempt.objects.filter(enrollment__course_id=ids["course"]).values_list(
                    "number", flat=True
                )
            ),
        )

        assert sorted(outcomes) == ["No attempts left: the quiz may be taken 1 time.", "scored"]
        assert counted == [1]
    finally:

        def cleanup() -> None:
            with connection.cursor() as cursor:
                for sql in (
                    "DELETE FROM academy_quizattempt WHERE enrollment_id IN "
                    "(SELECT id FROM academy_enrollment WHERE course_id = %(c)s)",
                    "DELETE FROM academy_enrollment WHERE course_id = %(c)s",
                    "DELETE FROM academy_pathcourse WHERE path_id = %(p)s",
                    "DELETE FROM academy_learningpath WHERE id = %(p)s",
                    "DELETE FROM academy_choice WHERE question_id IN "
                    "(SELECT id FROM academy_question WHERE course_id = %(c)s)",
                    "DELETE FROM academy_question WHERE course_id = %(c)s",
                    "DELETE FROM academy_lesson WHERE course_id = %(c)s",
                    "DELETE FROM academy_coursestatuschange WHERE course_id = %(c)s",
                    "DELETE FROM academy_course WHERE id = %(c)s",
                    "DELETE FROM auditlog_logentry WHERE content_type_id IN "
                    "(SELECT id FROM django_content_type WHERE app_label = 'academy')",
                ):
                    cursor.execute(sql, {"c": ids["course"], "p": ids["path"]})
            _remove(ids["partner"], users=[ids["learner"]])

        in_thread("alpha", cleanup)
