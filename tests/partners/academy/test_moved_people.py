"""A certificate belongs to the company it was issued under: when its holder moves to another
partner, the old company's admins keep seeing it (and its reminders), the new company does not,
the holder always does; the scorecard and onboarding count it for neither once the holder left.
The certificate names the company as it was called when it was issued."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.test import Client

from partners.academy.courses import course_archive
from partners.academy.metrics import certified_staff
from partners.academy.milestones import partner_courses_done
from partners.academy.models import Certificate
from partners.academy.tasks import academy_daily
from partners.models import Partner
from prm.accounts.models import User
from prm.accounts.roles import Role
from prm.core.models import Notification
from tests.conftest import login
from tests.factories import make_user
from tests.pdf import pdf_text

from .builders import certify, make_course, make_path

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")


def _client(user: User) -> Client:
    return login(Client(HTTP_HOST="alpha.localhost"), user)


def test_moving_a_person_leaves_their_certificate_with_the_old_company(world):
    learner, old, new = world["learner"], world["partner"], world["other_partner"]
    certificate = certify(learner, world["course"])
    new_admin = make_user(Role.PARTNER_ADMIN, partner=new, full_name="新公司管理员")
    User.objects.filter(pk=learner.pk).update(partner=new)  # the vendor moves them
    pdf = f"/portal/academy/certificates/{certificate.pk}/certificate.pdf"

    new_team = _client(new_admin).get("/portal/academy/team/")
    mine = _client(learner).get("/portal/academy/certificates/")
    academy_daily(day="2027-11-06")  # 30 days before it expires
    window = {"since": datetime(2026, 1, 1, tzinfo=SHANGHAI)}
    counted = certified_staff(
        partner_ids=None, until=datetime(2027, 1, 1, tzinfo=SHANGHAI), **window
    )

    assert Certificate.objects.get(pk=certificate.pk).partner == old
    assert _client(new_admin).get(pdf).status_code == 404
    assert _client(world["admin"]).get(pdf).status_code == 200
    assert _client(learner).get(pdf).status_code == 200
    assert [c.pk for c in mine.context["certificates"]] == [certificate.pk]
    rows = {person.full_name: progress for person, progress in new_team.context["rows"]}
    assert [(p.standing, p.certificate) for p in rows["吴芳"]] == [("in_progress", None)]
    assert sorted(
        Notification.objects.filter(kind="academy.expiring").values_list(
            "recipient__full_name", flat=True
        )
    ) == ["吴芳", "周强"]
    assert counted == {}  # neither the old company (they left) nor the new one
    assert partner_courses_done(old) is False
    assert partner_courses_done(Partner.objects.get(pk=new.pk)) is False


def test_the_certificate_keeps_the_company_name_it_was_issued_under(client_a, world):
    partner = world["partner"]
    issued_as = (partner.name, partner.name_en)
    certificate = certify(world["learner"], world["course"])
    Partner.objects.filter(pk=partner.pk).update(name="改名后公司", name_en="Renamed Ltd")
    User.objects.filter(pk=world["learner"].pk).update(is_active=False)

    page = client_a.get(f"/certificates/verify/{certificate.code}/")
    text = pdf_text(
        _client(world["admin"])
        .get(f"/portal/academy/certificates/{certificate.pk}/certificate.pdf")
        .content
    )

    held = Certificate.objects.get(pk=certificate.pk)
    assert (held.company_name, held.company_name_en) == issued_as
    assert partner.name in page.content.decode()
    assert "改名后公司" not in page.content.decode()
    assert page.context["valid"] is True  # earned: the holder's later deactivation aside
    assert partner.name in text
    assert "改名后公司" not in text


def test_certified_staff_counts_only_courses_published_now(world):
    archived = make_course(validity_months=None)
    make_path(archived)
    certify(world["learner"], world["course"])
    certify(world["admin"], archived)
    window = {
        "partner_ids": None,
        "since": datetime(2026, 1, 1, tzinfo=SHANGHAI),
        "until": datetime(2027, 1, 1, tzinfo=SHANGHAI),
    }
    before = certified_staff(**window)

    course_archive(archived)

    assert before == {world["partner"].pk: Decimal(2)}
    assert certified_staff(**window) == {world["partner"].pk: Decimal(1)}
