"""The cockpit's training completion, against numbers worked out by hand.

One learning path gives every person of a dealer two courses: C (valid 12 months, with a quiz)
and S (valid 1 month, no quiz). Everything happens on 2026-12-06; the figure is read on
2027-02-06, when S's certificates have expired (2027-01-06) and C's are still valid.

* P1 (the manager's): learner certified in C; admin took C's quiz and failed (in progress);
  newcomer did nothing; a deactivated user certified in C (not counted).
* P2 (the manager's): one certified in S (expired by then); one certified in C; one idle.
* P3 (another manager's): one person certified in C and S.
* P4 (the manager's, terminated): one person certified in C (terminated partners are left out).

P1 + P2: 6 people x 2 courses = 12 assigned; passed 2 (P1 learner C, P2 C); expired 1 (P2 S);
in progress 1 (P1 admin C); not started 12 - 2 - 1 - 1 = 8; completion 2 / 12 = 0.1666… → 0.1667.
P3 alone: assigned 2, passed 1, expired 1, completion 0.5000.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from partners.academy.quizzes import quiz_submit
from partners.models import Partner, PartnerStatus, PartnerType
from partners.selectors import partners_visible_to
from prm.accounts.models import User
from prm.accounts.roles import Role
from reports.channel_figures import Training, training_completion, training_people
from tests.factories import make_partner, make_user
from tests.partners.academy.builders import (
    answers,
    certify,
    complete_lessons,
    make_course,
    make_path,
)

pytestmark = pytest.mark.django_db

D = Decimal


@pytest.fixture
def clock(monkeypatch):
    day = {"today": date(2026, 12, 6)}
    monkeypatch.setattr("partners.academy.dates.tenant_today", lambda: day["today"])
    return day


@pytest.fixture
def world(vendor, manager, clock) -> dict[str, Partner]:
    course = make_course(code="c", validity_months=12, pass_mark=60, max_attempts=2)
    short = make_course(code="s", validity_months=1, questions=[])
    make_path(course, short, partner_types=[PartnerType.DEALER])

    def partner(name: str, **kw: object) -> Partner:
        return make_partner(name=name, partner_type=PartnerType.DEALER, **kw)

    p1 = partner("一号电子有限公司", channel_manager=manager)
    p2 = partner("二号电子有限公司", channel_manager=manager)
    p3 = partner("三号电子有限公司", channel_manager=make_user(Role.CHANNEL_MANAGER))
    p4 = partner("四号电子有限公司", channel_manager=manager)

    certify(make_user(Role.PARTNER_USER, partner=p1), course)
    admin = make_user(Role.PARTNER_ADMIN, partner=p1)
    quiz_submit(user=admin, course=course, answers=answers(course))
    make_user(Role.PARTNER_USER, partner=p1)
    gone = make_user(Role.PARTNER_USER, partner=p1)
    certify(gone, course)
    User.objects.filter(pk=gone.pk).update(is_active=False)

    complete_lessons(make_user(Role.PARTNER_USER, partner=p2), short)
    certify(make_user(Role.PARTNER_USER, partner=p2), course)
    make_user(Role.PARTNER_USER, partner=p2)

    third = make_user(Role.PARTNER_USER, partner=p3)
    certify(third, course)
    complete_lessons(third, short)

    certify(make_user(Role.PARTNER_USER, partner=p4), course)
    Partner.objects.filter(pk=p4.pk).update(status=PartnerStatus.TERMINATED)

    clock["today"] = date(2027, 2, 6)
    return {"P1": p1, "P2": p2, "P3": p3, "P4": p4}


def test_completion_over_the_cockpits_partners(world, manager, django_assert_num_queries):
    partners = partners_visible_to(manager)
    assert set(partners) == {world["P1"], world["P2"], world["P4"]}

    with django_assert_num_queries(8):
        training = training_completion(partners=partners)

    assert training == Training(
        assigned=12, passed=2, expired=1, in_progress=1, not_started=8, completion=D("0.1667")
    )


def test_the_outside_partner_and_nobody(world):
    theirs = training_completion(partners=Partner.objects.filter(pk=world["P3"].pk))
    nobody = training_completion(partners=Partner.objects.none())

    assert theirs == Training(
        assigned=2, passed=1, expired=1, in_progress=0, not_started=0, completion=D("0.5000")
    )
    assert nobody == Training(0, 0, 0, 0, 0, None)


def test_the_figure_drills_down_to_the_people_it_counts(world, manager):
    people = training_people(partners=partners_visible_to(manager))

    # By partner name; the deactivated user, P3's and the terminated P4's people are not there.
    assert [u.partner.name for u in people] == ["一号电子有限公司"] * 3 + ["二号电子有限公司"] * 3
    assert sorted(u.role for u in people) == [Role.PARTNER_ADMIN] + [Role.PARTNER_USER] * 5
