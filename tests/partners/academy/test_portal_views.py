"""The academy in the partner portal over HTTP: my learning, lessons marked complete, files and
videos, the quiz and its result (what is revealed when), certificates and their PDF, and the
partner admin's team page; who may open which page."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from django_tenants.utils import schema_context

from partners.academy.courses import lesson_file_add
from partners.academy.models import Lesson, LessonCompletion, QuizAttempt
from partners.academy.quizzes import quiz_submit
from partners.models import PartnerType
from prm.accounts.models import User
from prm.accounts.roles import Role
from tests.conftest import login
from tests.factories import make_partner, make_user
from tests.pdf import pdf_text

from .builders import answers, certify, complete_lessons, make_course, make_path
from .files import MP4, PDF

pytestmark = pytest.mark.django_db


def _english(client: Client, user: User) -> Client:
    login(client, user)
    client.cookies["prm_language"] = "en"
    return client


def flashed(response: Any) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def _quiz_form(course, given: dict[int, list[int]]) -> dict[str, Any]:
    return {f"q-{q}": [str(c) for c in chosen] for q, chosen in given.items()}


def test_my_learning_shows_assigned_courses_required_first_with_progress(client_a, world):
    optional = make_course(title="选修课", title_en="Elective")
    make_path((optional, False))
    complete_lessons(world["learner"], optional)  # all lessons, quiz not taken

    response = _english(client_a, world["learner"]).get("/portal/academy/")

    required = response.context["required"]
    elective = response.context["optional"]
    assert response.status_code == 200
    assert [(p.course, p.standing, p.lessons_done) for p in required] == [
        (world["course"], "not_started", 0)
    ]
    assert [(p.course, p.standing, p.lessons_done, p.lessons_total) for p in elective] == [
        (optional, "in_progress", 2, 2)
    ]
    assert "Elective" in response.content.decode()


def test_lessons_are_marked_complete_and_the_last_step_certifies(client_a, world):
    course = world["course"]
    first, second = course.lessons.order_by("position")
    client = _english(client_a, world["learner"])

    page = client.get(f"/portal/academy/lessons/{first.pk}/")
    done = client.post(f"/portal/academy/lessons/{first.pk}/complete/", {"next": "1"})
    course_page = client.get(f"/portal/academy/courses/{course.pk}/")
    client.post(f"/portal/academy/lessons/{second.pk}/complete/")
    passed = client.post(
        f"/portal/academy/courses/{course.pk}/quiz/",
        _quiz_form(course, answers(course, all_right=True)),
        follow=True,
    )

    assert page.status_code == 200
    assert "<p>内容1</p>" in page.content.decode()
    assert (done.status_code, done["Location"]) == (302, f"/portal/academy/lessons/{second.pk}/")
    assert [d for _l, d in course_page.context["lessons"]] == [True, False]
    assert LessonCompletion.objects.filter(enrollment__user=world["learner"]).count() == 2
    attempt = QuizAttempt.objects.get()
    assert passed.redirect_chain == [(f"/portal/academy/attempts/{attempt.pk}/", 302)]
    assert passed.context["reveal"] is True
    assert world["learner"].academy_certificates.count() == 1


def test_the_quiz_never_shows_which_answer_is_right_and_reveals_wrong_ones_only_at_the_end(
    client_a, world
):
    course = world["course"]  # two attempts, pass mark 60
    client = _english(client_a, world["learner"])
    first_question = course.questions.order_by("position", "pk").first()
    wrong = answers(course, right=[1])  # 1 of 3: 33.33

    form_page = client.get(f"/portal/academy/courses/{course.pk}/quiz/")
    incomplete = client.post(
        f"/portal/academy/courses/{course.pk}/quiz/", _quiz_form(course, {first_question.pk: [1]})
    )
    first = client.post(f"/portal/academy/courses/{course.pk}/quiz/", _quiz_form(course, wrong))
    first_result = client.get(first["Location"])
    second = client.post(f"/portal/academy/courses/{course.pk}/quiz/", _quiz_form(course, wrong))
    last_result = client.get(second["Location"])
    third = client.post(f"/portal/academy/courses/{course.pk}/quiz/", _quiz_form(course, wrong))

    html = form_page.content.decode()
    # Each answer renders the same way whether it is right or not: stripped of its own id,
    # value and label, every option of a question is the same markup, offered in position order.
    for question in course.questions.order_by("position", "pk"):
        choices = list(question.choices.order_by("position", "pk"))
        options = re.findall(
            rf'<div class="form-check">\s*<input[^>]*name="q-{question.pk}"[^>]*>'
            r"\s*<label[^>]*>[^<]*</label>",
            html,
        )
        assert [re.search(r'value="(\d+)"', o).group(1) for o in options] == [
            str(c.pk) for c in choices
        ]
        shapes = {
            re.sub(r'(value|id|for)="[^"]*"', "", o).replace(c.text, "")
            for o, c in zip(options, choices, strict=True)
        }
        assert len(shapes) == 1
        assert {c.is_correct for c in choices} == {True, False}
    assert " checked" not in html  # nothing pre-selected, right or wrong
    assert incomplete.status_code == 200
    with translation.override("en"):  # form errors are lazy: read in English here
        shown = [str(e) for e in incomplete.context["form"].errors[f"q-{first_question.pk}"]]
    assert shown == ["Choose among the answers offered."]
    assert first_result.context["attempt"].score == Decimal("33.33")
    assert (first_result.context["reveal"], first_result.context["attempts_left"]) == (False, 1)
    assert "Wrong" not in first_result.content.decode()
    assert (last_result.context["reveal"], last_result.context["attempts_left"]) == (True, 0)
    assert [right for _q, right in last_result.context["marked"]] == [True, False, False]
    assert (third.status_code, third.context["may_take"]) == (200, False)
    assert QuizAttempt.objects.count() == 2


def test_files_download_exactly_and_videos_answer_byte_ranges(client_a, world):
    lesson = world["course"].lessons.order_by("position").first()
    handout = lesson_file_add(lesson=lesson, upload=SimpleUploadedFile("讲义.pdf", PDF))
    video = lesson_file_add(lesson=lesson, upload=SimpleUploadedFile("demo.mp4", MP4))
    client = login(client_a, world["learner"])

    page = client.get(f"/portal/academy/lessons/{lesson.pk}/")
    document = client.get(f"/portal/academy/files/{handout.pk}/")
    whole = client.get(f"/portal/academy/files/{video.pk}/")
    part = client.get(f"/portal/academy/files/{video.pk}/", HTTP_RANGE="bytes=4-11")
    tail = client.get(f"/portal/academy/files/{video.pk}/", HTTP_RANGE="bytes=-8")
    beyond = client.get(f"/portal/academy/files/{video.pk}/", HTTP_RANGE=f"bytes={len(MP4)}-")

    assert f'src="/portal/academy/files/{video.pk}/"' in page.content.decode()
    assert b"".join(document.streaming_content) == PDF
    assert document["Content-Disposition"].startswith("attachment;")
    assert document["Cache-Control"] == "private, no-store"
    assert b"".join(whole.streaming_content) == MP4
    assert (whole["Content-Type"], whole["Accept-Ranges"]) == ("video/mp4", "bytes")
    assert (part.status_code, part["Content-Range"], b"".join(part.streaming_content)) == (
        206,
        f"bytes 4-11/{len(MP4)}",
        b"ftypisom",
    )
    assert b"".join(tail.streaming_content) == MP4[-8:]
    assert (beyond.status_code, beyond["Content-Range"]) == (416, f"bytes */{len(MP4)}")


def test_mark_complete_and_continue_follows_the_lesson_order_with_equal_positions(client_a, world):
    course = world["course"]
    Lesson.objects.filter(course=course).update(position=0)  # the admin inline's default
    first, second = course.lessons.order_by("position", "pk")
    client = login(client_a, world["learner"])

    page = client.get(f"/portal/academy/lessons/{first.pk}/")
    done = client.post(f"/portal/academy/lessons/{first.pk}/complete/", {"next": "1"})

    assert page.context["next"] == second
    assert done["Location"] == f"/portal/academy/lessons/{second.pk}/"


def test_another_dealers_admin_on_the_same_course_cannot_fetch_the_pdf(client_a, world):
    certificate = certify(world["learner"], world["course"])
    other_admin = make_user(Role.PARTNER_ADMIN, partner=world["other_partner"])
    certify(other_admin, world["course"])  # the same course, assigned to both dealers

    response = login(client_a, other_admin).get(
        f"/portal/academy/certificates/{certificate.pk}/certificate.pdf"
    )

    assert response.status_code == 404


def test_my_certificates_list_and_print_mine(client_a, world):
    certificate = certify(world["learner"], world["course"])
    client = login(client_a, world["learner"])

    listing = client.get("/portal/academy/certificates/")
    pdf = client.get(f"/portal/academy/certificates/{certificate.pk}/certificate.pdf")

    assert list(listing.context["certificates"]) == [certificate]
    assert (pdf.status_code, pdf["Content-Type"]) == (200, "application/pdf")
    assert certificate.display_code in pdf_text(pdf.content)


def test_the_partner_admin_sees_the_teams_progress_and_nobody_elses(client_a, world):
    certify(world["learner"], world["course"])
    quiz_submit(user=world["admin"], course=world["course"], answers=answers(world["course"]))
    certify(world["outsider"], world["course"])

    response = _english(client_a, world["admin"]).get("/portal/academy/team/")
    as_user = login(Client(HTTP_HOST="alpha.localhost"), world["learner"]).get(
        "/portal/academy/team/"
    )

    rows = {
        person.full_name: [(p.course.pk, p.standing, str(p.best_score)) for p in progress]
        for person, progress in response.context["rows"]
    }
    assert rows == {
        "周强": [(world["course"].pk, "in_progress", "0.00")],
        "吴芳": [(world["course"].pk, "certified", "100.00")],
    }
    assert "外人" not in response.content.decode()
    assert "2027-12-06" in response.content.decode()
    assert as_user.status_code == 403


def _by_id_pages(world: dict[str, Any]) -> list[str]:
    """Pages of the world's learner: their attempt, certificate, a lesson, its file, the course."""
    course = world["course"]
    lesson = course.lessons.order_by("position").first()
    handout = lesson_file_add(lesson=lesson, upload=SimpleUploadedFile("讲义.pdf", PDF))
    quiz_submit(user=world["learner"], course=course, answers=answers(course))
    attempt = QuizAttempt.objects.get(enrollment__user=world["learner"])
    certificate = certify(world["learner"], course)
    return [
        f"/portal/academy/attempts/{attempt.pk}/",
        f"/portal/academy/certificates/{certificate.pk}/certificate.pdf",
        f"/portal/academy/lessons/{lesson.pk}/",
        f"/portal/academy/files/{handout.pk}/",
        f"/portal/academy/courses/{course.pk}/",
        f"/portal/academy/courses/{course.pk}/quiz/",
    ]


def test_another_partner_anonymous_and_another_vendor_reach_none_of_it(client_a, client_b, world):
    pages = _by_id_pages(world)
    lists = [
        "/portal/academy/",
        "/portal/academy/certificates/",
        "/portal/academy/team/",
    ]
    # The other partner is a reseller: the dealer's path does not assign it the course.
    stranger_partner = make_partner(partner_type=PartnerType.RESELLER)
    stranger = make_user(Role.PARTNER_ADMIN, partner=stranger_partner)
    # The other dealer is assigned the same course: the course is theirs too, the rest is not.
    outsider = world["outsider"]

    def fresh() -> Client:
        return Client(HTTP_HOST="alpha.localhost")

    as_stranger = [login(fresh(), stranger).get(url).status_code for url in pages]
    as_outsider = [login(fresh(), outsider).get(url).status_code for url in pages[:2]]
    outsider_lists = [login(fresh(), outsider).get(url) for url in lists[:2]]
    stranger_team = login(fresh(), stranger).get("/portal/academy/team/")
    anonymous = [fresh().get(url) for url in pages + lists]
    staff = login(fresh(), world["manager"]).get(pages[2])

    assert as_stranger == [404] * 6
    assert as_outsider == [404, 404]
    assert [p.course for p in outsider_lists[0].context["required"]] == [world["course"]]
    assert list(outsider_lists[1].context["certificates"]) == []
    assert [name for name, _p in stranger_team.context["rows"]] == [stranger]
    assert all(r.status_code == 302 for r in anonymous)
    assert all(
        r["Location"].startswith("/accounts/login/?next=/portal/academy/") for r in anonymous
    )
    assert staff.status_code == 403

    with schema_context("bravo"):
        bravo_partner = make_partner(partner_type=PartnerType.DEALER)
        bravo_user = make_user(Role.PARTNER_ADMIN, partner=bravo_partner)
        login(client_b, bravo_user)
    assert [client_b.get(url).status_code for url in pages] == [404] * 6


def test_my_learning_and_the_team_page_cost_the_same_for_few_and_many(client_a, world):
    client = login(client_a, world["admin"])

    def queries(url: str) -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx)

    def grow(people: int, courses: int) -> None:
        for _ in range(courses):
            course = make_course(validity_months=6)
            make_path(course, partner_types=[PartnerType.DEALER])
        for _ in range(people):
            person = make_user(Role.PARTNER_USER, partner=world["partner"])
            certify(person, world["course"])
            quiz_submit(user=person, course=course, answers=answers(course))

    grow(1, 1)
    few = (queries("/portal/academy/team/"), queries("/portal/academy/"))
    grow(5, 3)
    many = (queries("/portal/academy/team/"), queries("/portal/academy/"))

    assert many == few
    assert few[0] <= 16
    assert few[1] <= 16
