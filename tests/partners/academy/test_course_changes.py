"""When the vendor changes a course under its learners: whoever has now done everything that is
left is certified (service, admin and the daily job); a lesson stays in its course; a published
course keeps a published lesson, checked on the whole course so one save may swap which."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from partners.academy.courses import lesson_delete, lesson_save, question_delete
from partners.academy.models import Certificate, Lesson
from partners.academy.progress import lesson_complete
from partners.academy.quizzes import quiz_submit
from partners.academy.tasks import academy_daily
from tests.conftest import login

from .builders import answers, make_course

pytestmark = pytest.mark.django_db


def _all_but_last_lesson(world) -> Lesson:
    learner, course = world["learner"], world["course"]
    first, second = course.lessons.order_by("position", "pk")
    lesson_complete(user=learner, lesson=first)
    quiz_submit(user=learner, course=course, answers=answers(course, all_right=True))
    assert not Certificate.objects.exists()
    return second


def _held(world) -> list[tuple[str, int]]:
    return list(Certificate.objects.values_list("holder_name", "course_id"))


def test_unpublishing_the_only_lesson_left_undone_certifies(world):
    second = _all_but_last_lesson(world)
    world["outsider"]  # another partner's person, not enrolled: nothing for them

    second.is_published = False
    lesson_save(second)

    assert _held(world) == [("吴芳", world["course"].pk)]


def test_deleting_the_lesson_left_undone_certifies(world):
    lesson_delete(_all_but_last_lesson(world))

    assert _held(world) == [("吴芳", world["course"].pk)]


def test_deleting_the_quiz_questions_certifies_who_did_the_lessons(world):
    learner, course = world["learner"], world["course"]
    for lesson in course.lessons.all():
        lesson_complete(user=learner, lesson=lesson)
    assert not Certificate.objects.exists()  # the quiz is still to take

    for question in list(course.questions.all()):
        question_delete(question)

    assert _held(world) == [("吴芳", course.pk)]


def test_the_admin_unpublishing_a_lesson_certifies(client_a, vendor_admin, world):
    second = _all_but_last_lesson(world)
    client = login(client_a, vendor_admin)
    response = client.post(
        f"/admin/academy/lesson/{second.pk}/change/",
        {
            "position": "2",
            "title": second.title,
            "title_en": second.title_en,
            "body": "",
            "body_en": "",
            "video_url": "",
            "minutes": "0",
            "files-TOTAL_FORMS": "0",
            "files-INITIAL_FORMS": "0",
            "files-MIN_NUM_FORMS": "0",
            "files-MAX_NUM_FORMS": "1000",
        },
    )

    assert response.status_code == 302
    assert Lesson.objects.get(pk=second.pk).is_published is False
    assert _held(world) == [("吴芳", world["course"].pk)]


def test_the_admin_deleting_the_quiz_certifies(client_a, vendor_admin, world):
    learner, course = world["learner"], world["course"]
    for lesson in course.lessons.all():
        lesson_complete(user=learner, lesson=lesson)
    client = login(client_a, vendor_admin)
    first, *rest = course.questions.order_by("pk")
    one_by_one = client.post(f"/admin/academy/question/{first.pk}/delete/", {"post": "yes"})
    assert not Certificate.objects.exists()  # two questions are still to answer

    in_bulk = client.post(
        "/admin/academy/question/",
        {"action": "delete_selected", "_selected_action": [q.pk for q in rest], "post": "yes"},
    )

    assert (one_by_one.status_code, in_bulk.status_code) == (302, 302)
    assert not course.questions.exists()
    assert _held(world) == [("吴芳", course.pk)]


def test_the_daily_job_certifies_who_was_left_with_nothing_to_do(world):
    second = _all_but_last_lesson(world)
    # Changed without the services (e.g. a data fix): only the daily job notices.
    Lesson.objects.filter(pk=second.pk).update(is_published=False)

    first = academy_daily(day="2026-12-07")
    again = academy_daily(day="2026-12-07")

    assert (first["certified"], again["certified"]) == (1, 0)
    assert _held(world) == [("吴芳", world["course"].pk)]


def test_a_lesson_cannot_be_moved_to_another_course(client_a, vendor_admin, in_a):
    course, other = make_course(lessons=1), make_course(lessons=1)
    lesson = course.lessons.get()
    lesson.course = other

    with translation.override("en"):
        with pytest.raises(ValidationError) as refused:
            lesson_save(lesson)
        errors = refused.value.message_dict
    page = login(client_a, vendor_admin).get(f"/admin/academy/lesson/{lesson.pk}/change/")

    assert errors == {"course": ["A lesson cannot be moved to another course; add a new one."]}
    assert Lesson.objects.get(pk=lesson.pk).course_id == course.pk
    assert "course" not in page.context["adminform"].form.fields
    assert "course" in page.context["adminform"].readonly_fields


def _course_form(course, lessons: list[tuple[Lesson, bool]]) -> dict[str, str]:
    form = {
        "code": course.code,
        "title": course.title,
        "title_en": course.title_en,
        "summary": "",
        "summary_en": "",
        "validity_months": "",
        "pass_mark": "80",
        "max_attempts": "3",
        "minutes": "0",
        "lessons-TOTAL_FORMS": str(len(lessons)),
        "lessons-INITIAL_FORMS": str(len(lessons)),
        "lessons-MIN_NUM_FORMS": "0",
        "lessons-MAX_NUM_FORMS": "1000",
        "questions-TOTAL_FORMS": "3",
        "questions-INITIAL_FORMS": "3",
        "questions-MIN_NUM_FORMS": "0",
        "questions-MAX_NUM_FORMS": "1000",
        "status_changes-TOTAL_FORMS": "0",
        "status_changes-INITIAL_FORMS": "0",
        "status_changes-MIN_NUM_FORMS": "0",
        "status_changes-MAX_NUM_FORMS": "1000",
    }
    for n, (lesson, published) in enumerate(lessons):
        form |= {
            f"lessons-{n}-id": str(lesson.pk),
            f"lessons-{n}-course": str(course.pk),
            f"lessons-{n}-position": str(n + 1),
            f"lessons-{n}-minutes": "0",
            f"lessons-{n}-title": lesson.title,
        }
        if published:
            form[f"lessons-{n}-is_published"] = "on"
    for n, question in enumerate(course.questions.order_by("position", "pk")):
        form[f"questions-{n}-id"] = str(question.pk)
        form[f"questions-{n}-course"] = str(course.pk)
    return form


def test_one_admin_save_may_swap_which_lesson_is_published(client_a, vendor_admin, in_a):
    course = make_course(lessons=2)
    a, b = course.lessons.order_by("position", "pk")
    Lesson.objects.filter(pk=b.pk).update(is_published=False)
    client = login(client_a, vendor_admin)

    swapped = client.post(
        f"/admin/academy/course/{course.pk}/change/", _course_form(course, [(a, False), (b, True)])
    )
    none_left = client.post(
        f"/admin/academy/course/{course.pk}/change/", _course_form(course, [(a, False), (b, False)])
    )

    assert swapped.status_code == 302
    assert none_left.status_code == 200
    assert dict(course.lessons.values_list("pk", "is_published")) == {a.pk: False, b.pk: True}


def test_the_service_checks_the_whole_course_too(in_a):
    course = make_course(lessons=2)
    a, b = course.lessons.order_by("position", "pk")
    a.is_published = False
    lesson_save(a)  # b is still published

    b.is_published = False
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        lesson_save(b)

    assert refused.value.message_dict == {
        "is_published": ["A published course keeps at least one published lesson."]
    }
    assert dict(course.lessons.values_list("pk", "is_published")) == {a.pk: False, b.pk: True}
