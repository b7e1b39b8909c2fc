"""Used-up quiz attempts are restored only by the vendor: an admin, marketing or the channel
manager of the person's company grants more for the current cycle, recorded with who and why.
Whether wrong answers are shown follows the attempt that was the last one allowed when taken."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from partners.academy.attempts import attempts_grant
from partners.academy.models import AttemptGrant, Enrollment, QuizAttempt
from partners.academy.quizzes import quiz_submit
from prm.accounts.roles import Role
from tests.conftest import login
from tests.factories import make_user

from .builders import answers

pytestmark = pytest.mark.django_db


def _use_up(world) -> Enrollment:
    learner, course = world["learner"], world["course"]  # two attempts allowed
    for _ in range(2):
        quiz_submit(user=learner, course=course, answers=answers(course, right=[1]))
    with pytest.raises(ValidationError):
        quiz_submit(user=learner, course=course, answers=answers(course, right=[1]))
    return Enrollment.objects.get(user=learner, course=course)


def test_the_partners_channel_manager_grants_one_more_attempt(world):
    enrollment = _use_up(world)

    grant = attempts_grant(
        enrollment=enrollment, extra=1, actor=world["manager"], reason="网络中断"
    )
    third = quiz_submit(
        user=world["learner"], course=world["course"], answers=answers(world["course"], right=[1])
    )

    assert (grant.cycle, grant.extra, grant.granted_by, grant.reason) == (
        1,
        1,
        world["manager"],
        "网络中断",
    )
    assert Enrollment.objects.get(pk=enrollment.pk).extra_attempts == 1
    assert list(QuizAttempt.objects.order_by("number").values_list("number", "final")) == [
        (1, False),
        (2, True),
        (3, True),
    ]
    with pytest.raises(ValidationError):
        quiz_submit(user=world["learner"], course=world["course"], answers=answers(world["course"]))
    assert third.number == 3


@pytest.mark.parametrize("role", [Role.ADMIN, Role.MARKETING])
def test_vendor_admins_and_marketing_may_grant(world, role):
    enrollment = _use_up(world)

    attempts_grant(enrollment=enrollment, extra=2, actor=make_user(role))

    assert Enrollment.objects.get(pk=enrollment.pk).extra_attempts == 2


@pytest.mark.parametrize("who", ["other_manager", "partner_admin", "sales"])
def test_nobody_else_may_grant(world, who):
    enrollment = _use_up(world)
    actor = {
        "other_manager": lambda: make_user(Role.CHANNEL_MANAGER),
        "partner_admin": lambda: world["admin"],
        "sales": lambda: make_user(Role.SALES),
    }[who]()

    with pytest.raises(PermissionDenied):
        attempts_grant(enrollment=enrollment, extra=1, actor=actor)

    assert Enrollment.objects.get(pk=enrollment.pk).extra_attempts == 0
    assert not AttemptGrant.objects.exists()


def test_a_grant_is_between_one_and_ten(world):
    enrollment = _use_up(world)

    with translation.override("en"), pytest.raises(ValidationError) as refused:
        attempts_grant(enrollment=enrollment, extra=0, actor=world["manager"])

    assert refused.value.message_dict == {"extra": ["Grant between 1 and 10 attempts."]}


def test_what_was_revealed_stays_revealed_after_a_grant(client_a, world):
    enrollment = _use_up(world)
    last = QuizAttempt.objects.get(number=2)
    client = login(client_a, world["learner"])
    client.cookies["prm_language"] = "en"
    used_up = client.get(f"/portal/academy/courses/{world['course'].pk}/quiz/")

    attempts_grant(enrollment=enrollment, extra=1, actor=world["manager"])
    result = client.get(f"/portal/academy/attempts/{last.pk}/")
    quiz_page = client.get(f"/portal/academy/courses/{world['course'].pk}/quiz/")

    assert "can grant you more attempts" in used_up.content.decode()
    assert (result.context["reveal"], result.context["attempts_left"]) == (True, 1)
    assert (quiz_page.context["may_take"], quiz_page.context["progress"].attempts_left) == (True, 1)
    assert "Attempts left: 1 of 3." in quiz_page.content.decode()


def test_the_admin_action_grants_one_attempt(client_a, vendor_admin, world):
    enrollment = _use_up(world)

    response = login(client_a, vendor_admin).post(
        "/admin/academy/enrollment/",
        {"action": "grant_attempt", "_selected_action": [enrollment.pk]},
    )

    assert response.status_code == 302
    assert Enrollment.objects.get(pk=enrollment.pk).extra_attempts == 1
    assert list(AttemptGrant.objects.values_list("extra", "granted_by")) == [(1, vendor_admin.pk)]
