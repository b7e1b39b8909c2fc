"""Certificates: issued to the person once the lessons are done and the quiz passed, exactly once
per cycle, with an unguessable code; a new one only after the old one expired and the course
was taken again. The PDF names the person, the course, the dates, the code and where to check."""

from __future__ import annotations

import re
from datetime import date

import pytest
from django.db import connection

from partners.academy.certificate_pdf import certificate_filename, certificate_pdf
from partners.academy.certificates import (
    ALPHABET,
    certificate_issue_if_complete,
    certificate_lookup,
    normalize_code,
)
from partners.academy.dates import expiry_date
from partners.academy.models import Certificate, Enrollment, QuizAttempt
from partners.academy.progress import lesson_complete
from partners.academy.quizzes import quiz_submit
from partners.models import PartnerStatus
from prm.accounts.models import User
from prm.accounts.roles import Role
from prm.core.models import Notification
from prm.tenancy.selectors import tenant_base_url
from tests.concurrency import in_thread, run_concurrently
from tests.factories import make_partner, make_user
from tests.orders.test_ledger_concurrency import _remove
from tests.pdf import pdf_fonts, pdf_text

from .builders import answers, certify, complete_lessons, make_course, make_path
from .conftest import TODAY


@pytest.mark.django_db
def test_passing_the_quiz_after_the_lessons_issues_one_certificate_to_the_person(world):
    learner, course = world["learner"], world["course"]

    assert complete_lessons(learner, course) is None  # the quiz is not passed yet
    quiz_submit(user=learner, course=course, answers=answers(course, all_right=True))
    again = lesson_complete(user=learner, lesson=course.lessons.first())
    enrollment = Enrollment.objects.get(user=learner, course=course)

    certificate = Certificate.objects.get()
    assert again is None
    assert certificate_issue_if_complete(enrollment) is None
    assert Certificate.objects.count() == 1
    assert (
        certificate.user,
        certificate.partner,
        certificate.holder_name,
        certificate.course_title,
        certificate.course_title_en,
        certificate.cycle,
        certificate.issued_on,
        certificate.expires_on,
    ) == (
        learner,
        world["partner"],
        "吴芳",
        course.title,
        course.title_en,
        1,
        TODAY,
        date(2027, 12, 6),
    )
    assert re.fullmatch(f"[{ALPHABET}]{{12}}", certificate.code)
    assert re.fullmatch(r"\w{4}-\w{4}-\w{4}", certificate.display_code)
    assert enrollment.completed_at is not None


@pytest.mark.django_db
def test_the_order_does_not_matter_and_a_course_without_quiz_needs_only_its_lessons(world):
    learner = world["learner"]
    no_quiz = make_course(questions=[], lessons=2)  # no validity: it does not expire
    make_path(no_quiz)
    course = world["course"]

    quiz_submit(user=learner, course=course, answers=answers(course, all_right=True))
    first = complete_lessons(learner, course)
    second = complete_lessons(learner, no_quiz)

    assert first is not None
    assert first.course == course
    assert second is not None
    assert (second.course, second.expires_on) == (no_quiz, None)


@pytest.mark.django_db
def test_an_unpublished_lesson_is_not_needed(world):
    learner = world["learner"]
    course = make_course(lessons=3, questions=[])
    make_path(course)
    hidden = course.lessons.order_by("position").last()
    type(hidden).objects.filter(pk=hidden.pk).update(is_published=False)

    issued = complete_lessons(learner, course)

    assert issued is not None


@pytest.mark.django_db
def test_the_holder_is_told_in_their_language(world):
    learner = world["learner"]
    User.objects.filter(pk=learner.pk).update(language="en")
    learner.refresh_from_db()

    certificate = certify(learner, world["course"])

    note = Notification.objects.get(recipient=learner)
    assert (note.kind, note.url) == ("academy.certified", "/portal/academy/certificates/")
    assert note.title == f"Certificate issued: {world['course'].title_en}"
    assert note.body == f"Verification code {certificate.display_code}. It expires on 2027-12-06."


@pytest.mark.django_db
def test_after_expiry_the_course_is_taken_again_for_a_new_certificate(world, today):
    learner, course = world["learner"], world["course"]
    quiz_submit(user=learner, course=course, answers=answers(course))  # 1 of 2 attempts
    first = certify(learner, course)

    today["day"] = date(2027, 12, 5)  # still valid: nothing changes
    assert lesson_complete(user=learner, lesson=course.lessons.first()) is None
    today["day"] = date(2027, 12, 6)  # expired today
    lesson_complete(user=learner, lesson=course.lessons.first())
    enrollment = Enrollment.objects.get(user=learner)
    wrong = quiz_submit(user=learner, course=course, answers=answers(course))
    second = certify(learner, course)

    assert (enrollment.cycle, wrong.cycle, wrong.number) == (2, 2, 1)  # the limit counts anew
    assert (second.cycle, second.issued_on, second.expires_on) == (
        2,
        date(2027, 12, 6),
        date(2028, 12, 6),
    )
    assert second.code != first.code
    assert Certificate.objects.get(pk=first.pk).expires_on == date(2027, 12, 6)
    assert QuizAttempt.objects.filter(enrollment=enrollment).count() == 4


def test_expiry_is_the_same_day_months_later_or_the_month_end():
    assert expiry_date(date(2026, 1, 15), 12) == date(2027, 1, 15)
    assert expiry_date(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert expiry_date(date(2024, 2, 29), 12) == date(2025, 2, 28)
    assert expiry_date(date(2026, 1, 15), None) is None


@pytest.mark.django_db
def test_codes_are_read_back_as_people_type_them(world):
    certificate = certify(world["learner"], world["course"])
    code = certificate.code
    typed = f" {code[:4].lower()} {code[4:8]}-{code[8:]} "

    assert normalize_code(typed) == code
    assert normalize_code("O1IL-0000-0000") == "0111" + "0" * 8
    assert normalize_code("ABCD-EFGH-JKM") is None  # too short
    assert normalize_code("ABCD-EFGH-JKMU") is None  # U is not in the alphabet
    assert certificate_lookup(typed) == certificate
    assert certificate_lookup("") is None


@pytest.mark.django_db
def test_the_pdf_names_the_person_course_dates_code_and_where_to_check(world):
    certificate = certify(world["learner"], world["course"])

    data = certificate_pdf(certificate)

    text = pdf_text(data).replace("\n", "")
    assert data.startswith(b"%PDF")
    for shown in (
        "吴芳",
        world["partner"].name,
        world["course"].title,
        "2026-12-06",
        "2027-12-06",
        certificate.display_code,
        f"{tenant_base_url()}/certificates/verify/{certificate.display_code}/",
    ):
        assert shown in text, shown
    assert "WenQuanYi-Micro-Hei" in pdf_fonts(data)
    assert certificate_filename(certificate) == f"certificate-{certificate.display_code}.pdf"


def test_the_last_two_lessons_completed_at_the_same_moment_issue_one_certificate(tenant_a):
    def setup() -> dict[str, int]:
        partner = make_partner(status=PartnerStatus.APPLIED)
        learner = make_user(Role.PARTNER_USER, partner=partner)
        course = make_course(code="race-lessons", lessons=2, questions=[])
        path = make_path(course)
        return {"partner": partner.pk, "learner": learner.pk, "course": course.pk, "path": path.pk}

    ids = in_thread("alpha", setup)

    def complete(position: int):
        def run() -> bool:
            from partners.academy.models import Lesson

            lesson = Lesson.objects.get(course_id=ids["course"], position=position)
            user = User.objects.get(pk=ids["learner"])
            return lesson_complete(user=user, lesson=lesson) is not None

        return run

    try:
        outcomes = run_concurrently("alpha", [complete(1), complete(2)])
        issued = in_thread(
            "alpha", lambda: Certificate.objects.filter(course_id=ids["course"]).count()
        )

        assert sorted(outcomes) == [False, True]
        assert issued == 1
    finally:

        def cleanup() -> None:
            with connection.cursor() as cursor:
                for sql in (
                    "DELETE FROM core_notification WHERE recipient_id = %(u)s",
                    "DELETE FROM academy_certificate WHERE course_id = %(c)s",
                    "DELETE FROM academy_lessoncompletion WHERE enrollment_id IN "
                    "(SELECT id FROM academy_enrollment WHERE course_id = %(c)s)",
                    "DELETE FROM academy_enrollment WHERE course_id = %(c)s",
                    "DELETE FROM academy_pathcourse WHERE path_id = %(p)s",
                    "DELETE FROM academy_learningpath WHERE id = %(p)s",
                    "DELETE FROM academy_lesson WHERE course_id = %(c)s",
                    "DELETE FROM academy_coursestatuschange WHERE course_id = %(c)s",
                    "DELETE FROM academy_course WHERE id = %(c)s",
                    "DELETE FROM auditlog_logentry WHERE content_type_id IN "
                    "(SELECT id FROM django_content_type WHERE app_label = 'academy')",
                    # The certificate completed the partner's onboarding course step.
                    "DELETE FROM partner_onboarding_onboardingstepchange WHERE step_id IN "
                    "(SELECT id FROM partner_onboarding_onboardingstep WHERE partner_id = %(pt)s)",
                    "DELETE FROM partner_onboarding_onboardingstep WHERE partner_id = %(pt)s",
                ):
                    cursor.execute(
                        sql,
                        {
                            "c": ids["course"],
                            "p": ids["path"],
                            "u": ids["learner"],
                            "pt": ids["partner"],
                        },
                    )
            _remove(ids["partner"], users=[ids["learner"]])

        in_thread("alpha", cleanup)
