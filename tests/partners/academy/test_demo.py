"""The demo academy: four bilingual courses published with lessons, a handout and a quiz each,
a path per partner type and one for partner admins, and people at every stage, including a
certificate expiring within 30 days and one already expired (which the daily job picks up)."""

from __future__ import annotations

import random

import pytest

from partners.academy.completion import completion_report
from partners.academy.dates import expiry_date
from partners.academy.demo import seed
from partners.academy.models import (
    Certificate,
    Course,
    CourseStatus,
    LearningPath,
    LessonFile,
    QuizAttempt,
)
from partners.academy.tasks import academy_daily
from partners.models import PartnerType
from prm.accounts.roles import Role
from tests.factories import make_partner, make_user

from .conftest import TODAY

pytestmark = pytest.mark.django_db


def test_the_demo_has_courses_paths_and_people_at_every_stage(in_a, vendor_admin):
    partners = [
        make_partner(partner_type=PartnerType.DISTRIBUTOR),
        make_partner(partner_type=PartnerType.DEALER),
        make_partner(partner_type=PartnerType.SERVICE),
        make_partner(partner_type=PartnerType.RESELLER),
    ]
    make_user(Role.PARTNER_ADMIN, partner=partners[0])
    make_user(Role.PARTNER_USER, partner=partners[1])
    make_user(Role.PARTNER_ADMIN, partner=partners[3])

    seed(partners=partners, admin=vendor_admin, rng=random.Random(20261122))

    courses = Course.objects.order_by("code")
    assert [(c.code, c.status, c.lessons.count(), c.validity_months) for c in courses] == [
        ("deal-registration", CourseStatus.PUBLISHED, 2, None),
        ("installation", CourseStatus.PUBLISHED, 2, 12),
        ("product-basics", CourseStatus.PUBLISHED, 3, 24),
        ("rebate-policy", CourseStatus.PUBLISHED, 2, 12),
    ]
    assert all(c.title_en and c.questions.exists() for c in courses)
    assert LessonFile.objects.filter(kind="document").count() == 4
    assert LearningPath.objects.count() == 6
    certificates = Certificate.objects.all()
    expiring = [c for c in certificates if c.expires_on and 0 < (c.expires_on - TODAY).days <= 30]
    expired = [c for c in certificates if c.expires_on and c.expires_on <= TODAY]
    assert len(certificates) >= 4
    assert (len(expiring), len(expired)) == (1, 1)
    assert QuizAttempt.objects.filter(passed=False).exists()
    assert academy_daily(day=TODAY.isoformat()) == {"reminded": 1, "expired": 1, "certified": 0}
    report = completion_report(user=vendor_admin)
    assert report.total is not None
    assert report.total.passed >= 1
    for certificate in (*expiring, *expired):  # dated back as a whole
        months = certificate.course.validity_months
        assert expiry_date(certificate.issued_on, months) == certificate.expires_on
