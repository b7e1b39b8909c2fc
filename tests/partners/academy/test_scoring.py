"""Quiz scoring: one point per question; a multiple-choice question only when the chosen set is
exactly the correct set; the score an exact percentage to 2 places; passed at the pass mark."""

from __future__ import annotations

from decimal import Decimal

import pytest

from partners.academy.models import QuestionKind, QuizAttempt
from partners.academy.quizzes import Key, quiz_submit, score_answers

from .builders import answers, make_course, make_path

pytestmark = pytest.mark.django_db

D = Decimal
SINGLE = Key(1, QuestionKind.SINGLE, frozenset({11}))
MULTIPLE = Key(2, QuestionKind.MULTIPLE, frozenset({21, 22}))
OTHER = Key(3, QuestionKind.SINGLE, frozenset({32}))


def test_a_single_choice_question_scores_with_its_correct_answer_only():
    assert score_answers([SINGLE], {1: [11]}).percent == D("100.00")
    assert score_answers([SINGLE], {1: [12]}).percent == D("0.00")


@pytest.mark.parametrize(
    ("chosen", "scores"),
    [
        ([21, 22], True),  # exactly the correct set
        ([22, 21], True),  # in any order
        ([21], False),  # one missing
        ([21, 22, 23], False),  # one extra
        ([23], False),
    ],
)
def test_a_multiple_choice_question_scores_only_with_exactly_the_correct_set(chosen, scores):
    score = score_answers([MULTIPLE], {2: chosen})

    assert (score.correct, score.percent, score.wrong) == (
        (1, D("100.00"), ()) if scores else (0, D("0.00"), (2,))
    )


def test_partly_wrong_answers_score_the_exact_share_half_up_to_two_places():
    two_of_three = score_answers([SINGLE, MULTIPLE, OTHER], {1: [11], 2: [21, 22], 3: [31]})
    one_of_three = score_answers([SINGLE, MULTIPLE, OTHER], {1: [11], 2: [21], 3: [31]})
    five_of_six = score_answers(
        [Key(n, QuestionKind.SINGLE, frozenset({n})) for n in range(1, 7)],
        {n: [n] for n in range(1, 6)} | {6: [0]},
    )

    assert (two_of_three.percent, two_of_three.wrong) == (D("66.67"), (3,))
    assert (one_of_three.percent, one_of_three.wrong) == (D("33.33"), (2, 3))
    assert five_of_six.percent == D("83.33")
    assert str(two_of_three.percent) == "66.67"


@pytest.mark.parametrize(("pass_mark", "passed"), [(66, True), (67, False)])
def test_the_server_scores_the_stored_answers_against_the_pass_mark(world, pass_mark, passed):
    course = make_course(pass_mark=pass_mark)
    make_path(course)
    given = answers(course, right=[1, 2])

    attempt = quiz_submit(user=world["learner"], course=course, answers=given)

    attempt = QuizAttempt.objects.get(pk=attempt.pk)
    assert (attempt.score, attempt.passed, attempt.correct_count, attempt.question_count) == (
        D("66.67"),
        passed,
        2,
        3,
    )
    assert attempt.answers == {str(q): sorted(c) for q, c in given.items()}
    third = list(course.questions.order_by("position", "pk"))[2]
    assert attempt.wrong == [third.pk]
    assert attempt.pass_mark == pass_mark
