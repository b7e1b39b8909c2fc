"""The academy in the vendor portal: each course's uptake, the completion report with exact
numbers and its filters, the certificates issued; counted among the partners the reader sees;
bounded query counts; nobody else reaches any of it."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import schema_context

from partners.academy.courses import lesson_file_add
from partners.academy.quizzes import quiz_submit
from partners.models import Partner, PartnerStatus, PartnerType, Region
from prm.accounts.models import User
from prm.accounts.roles import Role
from tests.conftest import login
from tests.factories import make_partner, make_user

from .builders import answers, certify, complete_lessons, make_course, make_path
from .files import PDF

pytestmark = pytest.mark.django_db

D = Decimal


def _lines(report: Any) -> list[tuple[Any, ...]]:
    """(partner id, course code, assigned, passed, expired, in progress, not started, %)."""
    return [
        (
            line.partner.pk if line.partner else None,
            line.course.code if line.course else None,
            line.assigned,
            line.passed,
            line.expired,
            line.in_progress,
            line.not_started,
            line.completion,
        )
        for line in report
    ]


def _by_name(line: tuple[Any, ...]) -> tuple[str, str]:
    return (Partner.objects.get(pk=line[0]).name, line[1])


@pytest.fixture
def school(world, today):
    """Partner A (the world's, managed by the manager): the learner certified, the admin
    halfway, a third person not started. Partner B (浙江): its person certified in a one-month
    course, expired by the day the report is read. A terminated partner's person is left out."""
    short = make_course(code="short", validity_months=1, questions=[])
    make_path(short, partner_types=[PartnerType.DEALER])
    certify(world["learner"], world["course"])
    quiz_submit(user=world["admin"], course=world["course"], answers=answers(world["course"]))
    make_user(Role.PARTNER_USER, partner=world["partner"], full_name="新人")
    Partner.objects.filter(pk=world["other_partner"].pk).update(region="浙江")
    complete_lessons(world["outsider"], short)
    gone = make_partner(partner_type=PartnerType.DEALER)
    certify(make_user(Role.PARTNER_USER, partner=gone), world["course"])
    Partner.objects.filter(pk=gone.pk).update(status=PartnerStatus.TERMINATED)
    left = make_user(Role.PARTNER_USER, partner=world["partner"])
    User.objects.filter(pk=left.pk).update(is_active=False)
    today["day"] = date(2027, 2, 6)
    zhejiang = Region.objects.create(
        code="330000", name="浙江", name_en="Zhejiang", level="province"
    )
    return {**world, "short": short, "zhejiang": zhejiang}


def test_the_completion_report_counts_passed_over_assigned(client_a, school, vendor_admin):
    a, b = school["partner"].pk, school["other_partner"].pk
    code = school["course"].code
    client = login(client_a, vendor_admin)

    everything = client.get("/academy/completion/").context["report"]
    one_partner = client.get("/academy/completion/", {"partner": a}).context["report"]
    one_course = client.get("/academy/completion/", {"course": school["short"].pk}).context[
        "report"
    ]
    one_region = client.get("/academy/completion/", {"region": school["zhejiang"].pk}).context[
        "report"
    ]
    managed = login(Client(HTTP_HOST="alpha.localhost"), school["manager"]).get(
        "/academy/completion/"
    )

    a_lines = [
        (a, code, 3, 1, 0, 1, 1, D("33.3")),
        (a, "short", 3, 0, 0, 0, 3, D("0.0")),
    ]
    b_lines = [
        (b, code, 1, 0, 0, 0, 1, D("0.0")),
        (b, "short", 1, 0, 1, 0, 0, D("0.0")),
    ]
    assert _lines(everything.lines) == sorted(a_lines + b_lines, key=_by_name)
    assert _lines(everything.by_course) == sorted(
        [(None, code, 4, 1, 0, 1, 2, D("25.0")), (None, "short", 4, 0, 1, 0, 3, D("0.0"))],
        key=lambda line: line[1],
    )
    assert _lines([everything.total])[0][2:] == (8, 1, 1, 1, 5, D("12.5"))
    assert _lines(one_partner.lines) == a_lines
    assert _lines(one_course.lines) == sorted([a_lines[1], b_lines[1]], key=_by_name)
    assert _lines(one_region.lines) == b_lines
    assert _lines(managed.context["report"].lines) == a_lines
    assert list(managed.context["filter"].form.fields["partner"].queryset) == [school["partner"]]


def test_the_courses_list_counts_enrolled_certified_and_pass_rate(client_a, world, vendor_admin):
    course = world["course"]
    certify(world["learner"], course)
    quiz_submit(user=world["admin"], course=course, answers=answers(course))
    certify(world["outsider"], course)
    draft = make_course(code="draft-course", publish=False)

    everyone = login(client_a, vendor_admin).get("/academy/").context["stats"]
    managed = login(Client(HTTP_HOST="alpha.localhost"), world["manager"]).get("/academy/")

    def numbers(stats: Any) -> dict[str, tuple[Any, ...]]:
        """lessons, questions, enrolled, certified, took the quiz, passed it, pass rate"""
        return {
            s.course.code: (
                s.course.lesson_count,
                s.course.question_count,
                s.enrolled,
                s.certified,
                s.tried,
                s.passed,
                s.pass_rate,
            )
            for s in stats
        }

    assert numbers(everyone) == {
        course.code: (2, 3, 3, 2, 3, 2, D("66.7")),
        draft.code: (2, 3, 0, 0, 0, 0, None),
    }
    assert numbers(managed.context["stats"])[course.code] == (2, 3, 2, 1, 2, 1, D("50.0"))


def test_certificates_are_found_by_code_or_name_and_scoped(client_a, world, vendor_admin, today):
    mine = certify(world["learner"], world["course"])
    theirs = certify(world["outsider"], world["course"])
    client = login(client_a, vendor_admin)

    by_code = client.get("/academy/certificates/", {"q": mine.display_code.lower()})
    by_name = client.get("/academy/certificates/", {"q": "外人"})
    managed = login(Client(HTTP_HOST="alpha.localhost"), world["manager"]).get(
        "/academy/certificates/"
    )
    today["day"] = date(2027, 12, 6)
    expired = client.get("/academy/certificates/", {"state": "expired"})
    valid = client.get("/academy/certificates/", {"state": "valid"})

    assert list(by_code.context["page"]) == [mine]
    assert list(by_name.context["page"]) == [theirs]
    assert list(managed.context["page"]) == [mine]
    assert set(expired.context["page"]) == {mine, theirs}
    assert list(valid.context["page"]) == []


def test_only_the_partners_own_vendor_staff_reach_its_academy_pages(
    client_a, client_b, world, vendor_admin
):
    certificate = certify(world["outsider"], world["course"])  # not the manager's partner
    lesson = world["course"].lessons.order_by("position").first()
    handout = lesson_file_add(lesson=lesson, upload=SimpleUploadedFile("讲义.pdf", PDF))
    by_id = [
        f"/academy/certificates/{certificate.pk}/certificate.pdf",
        f"/academy/files/{handout.pk}/",
    ]
    lists = ["/academy/", "/academy/completion/", "/academy/certificates/"]

    def fresh() -> Client:
        return Client(HTTP_HOST="alpha.localhost")

    owner = [login(fresh(), vendor_admin).get(url).status_code for url in by_id + lists]
    manager = login(fresh(), world["manager"])
    manager_pdf = manager.get(by_id[0]).status_code
    manager_file = manager.get(by_id[1]).status_code
    partner_user = [login(fresh(), world["outsider"]).get(url).status_code for url in by_id + lists]
    anonymous = [fresh().get(url) for url in by_id + lists]
    with schema_context("bravo"):
        login(client_b, User.objects.get(email="admin@bravo.test"))
    bravo = [client_b.get(url).status_code for url in by_id]
    bravo_list = client_b.get("/academy/certificates/")

    assert owner == [200] * 5
    assert (manager_pdf, manager_file) == (404, 200)  # not their partner's; course files are
    assert partner_user == [403] * 5
    assert all(r.status_code == 302 for r in anonymous)
    assert all(r["Location"].startswith("/accounts/login/?next=/academy/") for r in anonymous)
    assert bravo == [404, 404]
    assert list(bravo_list.context["page"]) == []


def test_the_report_and_lists_cost_the_same_for_few_and_many(client_a, world, vendor_admin):
    client = login(client_a, vendor_admin)

    def queries(url: str) -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx)

    def grow(partners: int) -> None:
        course = make_course(validity_months=12)
        make_path(course, partner_types=[PartnerType.DEALER])
        for _ in range(partners):
            partner = make_partner(
                partner_type=PartnerType.DEALER, channel_manager=world["manager"]
            )
            for role in (Role.PARTNER_ADMIN, Role.PARTNER_USER):
                person = make_user(role, partner=partner)
                certify(person, world["course"])
                quiz_submit(user=person, course=course, answers=answers(course))

    urls = ["/academy/completion/", "/academy/", "/academy/certificates/"]
    grow(1)
    few = [queries(url) for url in urls]
    grow(4)
    many = [queries(url) for url in urls]

    assert many == few
    assert few[0] <= 20  # the report: 3 for its filters' choices, 8 for the numbers
    assert max(few[1:]) <= 10
