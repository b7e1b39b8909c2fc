"""What certificates mean for the company: its onboarding step "complete a course" is done once
every course its paths require has been passed by someone there; the scorecard counts the
distinct people holding a valid certificate at the end of the window, in one query."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.apps import apps
from django.db import connection
from django.test.utils import CaptureQueriesContext

from partners.academy.metrics import certified_staff
from partners.models import PartnerType
from partners.onboarding.models import OnboardingStep, StepKind, StepStatus
from partners.programs.metrics import metric_provider
from prm.accounts.models import User
from prm.accounts.roles import Role
from tests.factories import make_partner, make_user

from .builders import certify, make_course, make_path

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")


def _course_step(partner) -> str:
    return OnboardingStep.objects.get(
        partner=partner, template__kind=StepKind.COMPLETE_COURSE
    ).status


def test_the_step_is_done_once_every_required_course_is_passed_by_someone(world):
    partner = world["partner"]  # active: its steps (the vendor's default checklist) exist
    second = make_course(validity_months=None)
    optional = make_course()
    make_path(second, (optional, False), partner_types=[PartnerType.DEALER])
    make_path(make_course(), partner_types=[PartnerType.SERVICE])  # not a dealer's

    certify(world["learner"], world["course"])
    after_one = _course_step(partner)
    certify(world["admin"], second)  # someone else, the other required course

    assert after_one == StepStatus.PENDING
    assert _course_step(partner) == StepStatus.DONE
    assert _course_step(world["other_partner"]) == StepStatus.PENDING


def test_without_required_courses_the_first_certificate_completes_the_step(in_a):
    partner = make_partner(partner_type=PartnerType.AGENT)
    course = make_course()
    make_path((course, False), partner_types=[PartnerType.AGENT])
    person = make_user(Role.PARTNER_USER, partner=partner)

    before = _course_step(partner)
    certify(person, course)

    assert (before, _course_step(partner)) == (StepStatus.PENDING, StepStatus.DONE)


def test_certified_staff_counts_distinct_valid_people_per_partner_in_one_query(world, today):
    partner, other = world["partner"], world["other_partner"]
    lasting = make_course(validity_months=None)
    make_path(lasting)
    certify(world["learner"], world["course"])  # 2026-12-06 → 2027-12-06
    certify(world["learner"], lasting)  # the same person twice: counts once
    certify(world["admin"], world["course"])
    certify(world["outsider"], lasting)
    gone = make_user(Role.PARTNER_USER, partner=other)
    certify(gone, lasting)
    User.objects.filter(pk=gone.pk).update(is_active=False)  # left the company
    today["day"] = date(2027, 1, 10)
    certify(make_user(Role.PARTNER_USER, partner=other), lasting)  # issued after the window

    def count(until: datetime, partner_ids=None) -> dict[int, Decimal]:
        with CaptureQueriesContext(connection) as ctx:
            result = certified_staff(
                partner_ids=partner_ids, since=datetime(2026, 1, 1, tzinfo=SHANGHAI), until=until
            )
        assert len(ctx) == 1
        return result

    end_of_2026 = datetime(2027, 1, 1, tzinfo=SHANGHAI)
    # The certificates expiring on 2027-12-06 are valid through 12-05, expired as 12-06 begins.
    day_before_expiry = datetime(2027, 12, 5, tzinfo=SHANGHAI)
    expired = datetime(2027, 12, 6, tzinfo=SHANGHAI)

    assert count(end_of_2026) == {partner.pk: Decimal(2), other.pk: Decimal(1)}
    assert count(end_of_2026, [other.pk]) == {other.pk: Decimal(1)}
    assert count(day_before_expiry) == {partner.pk: Decimal(2), other.pk: Decimal(2)}
    assert count(expired) == {partner.pk: Decimal(1), other.pk: Decimal(2)}
    assert count(datetime(2026, 12, 6, tzinfo=SHANGHAI)) == {}  # issued that day, later


def test_the_academy_registers_the_metric():
    apps.get_app_config("academy").ready()

    assert metric_provider("certified_staff") is certified_staff
