"""Bad course content is refused with its reason at the field, and nothing is half-saved: a
question without a correct answer (a single-choice one with two), a course published without a
published lesson, a lesson file that is not a PDF or an MP4. The same rules hold in the admin."""

from __future__ import annotations

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from partners.academy.courses import (
    ChoiceIn,
    course_create,
    course_publish,
    lesson_add,
    lesson_file_add,
    lesson_save,
    question_save,
)
from partners.academy.models import (
    Choice,
    Course,
    CourseStatus,
    Lesson,
    LessonFile,
    Question,
    QuestionKind,
)
from tests.conftest import login

from .builders import make_course
from .files import EXE, GP3, HEIC, M4A, MOV, MP4, PDF, PNG

pytestmark = pytest.mark.django_db


def _english(client, user):
    login(client, user)
    client.cookies["prm_language"] = "en"
    return client


# --- questions ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "choices", "message"),
    [
        (QuestionKind.SINGLE, [("甲", False), ("乙", False)], "Mark the correct answer."),
        (QuestionKind.MULTIPLE, [("甲", False), ("乙", False)], "Mark the correct answer."),
        (
            QuestionKind.SINGLE,
            [("甲", True), ("乙", True), ("丙", False)],
            "A single-choice question has exactly one correct answer; 2 are marked.",
        ),
        (
            QuestionKind.SINGLE,
            [("甲", True), ("", False)],
            "Give at least two answers to choose from.",
        ),
    ],
)
def test_a_question_that_cannot_be_scored_is_refused_and_nothing_saved(
    in_a, kind, choices, message
):
    course = make_course(questions=[], publish=False)

    with translation.override("en"), pytest.raises(ValidationError) as refused:
        question_save(
            course=course, text="问题", kind=kind, choices=[ChoiceIn(t, ok) for t, ok in choices]
        )

    assert refused.value.message_dict == {"choices": [message]}
    assert (Question.objects.count(), Choice.objects.count()) == (0, 0)


def test_the_admin_refuses_a_question_without_a_correct_answer(client_a, vendor_admin):
    course = make_course(questions=[], publish=False)
    form = {
        "course": str(course.pk),
        "position": "1",
        "kind": QuestionKind.SINGLE,
        "text": "哪一个对？",
        "text_en": "",
        "choices-TOTAL_FORMS": "3",
        "choices-INITIAL_FORMS": "0",
        "choices-MIN_NUM_FORMS": "0",
        "choices-MAX_NUM_FORMS": "1000",
    }
    for n, text in enumerate(["甲", "乙", ""]):  # the third row is left as the page shows it
        form |= {f"choices-{n}-position": str(n + 1) if text else "0", f"choices-{n}-text": text}

    refused = _english(client_a, vendor_admin).post("/admin/academy/question/add/", form)
    accepted = client_a.post("/admin/academy/question/add/", form | {"choices-1-is_correct": "on"})

    assert refused.status_code == 200
    assert [
        str(e) for e in refused.context["inline_admin_formsets"][0].formset.non_form_errors()
    ] == ["Mark the correct answer."]
    assert accepted.status_code == 302
    question = Question.objects.get()
    assert list(question.choices.values_list("text", "is_correct")) == [
        ("甲", False),
        ("乙", True),
    ]


# --- publishing -----------------------------------------------------------------------------------


def test_a_course_without_a_published_lesson_is_not_published(in_a):
    empty = course_create(code="empty", title="空课程")
    hidden = make_course(publish=False, lessons=1)
    Lesson.objects.filter(course=hidden).update(is_published=False)

    with translation.override("en"), pytest.raises(ValidationError) as no_lesson:
        course_publish(empty)
    with translation.override("en"), pytest.raises(ValidationError) as unpublished:
        course_publish(hidden)

    assert no_lesson.value.messages == ["A course needs at least one published lesson."]
    assert unpublished.value.messages == ["A course needs at least one published lesson."]
    assert set(Course.objects.values_list("status", flat=True)) == {CourseStatus.DRAFT}
    assert empty.status_changes.count() == 1  # only its creation


def test_a_bad_question_stored_before_the_rule_holds_back_publishing(in_a):
    course = make_course(publish=False, questions=[])
    broken = Question.objects.create(course=course, text="坏题", kind=QuestionKind.SINGLE)
    Choice.objects.create(question=broken, text="甲", is_correct=False)

    with translation.override("en"), pytest.raises(ValidationError) as refused:
        course_publish(course)

    assert refused.value.messages == ["Question 1: Give at least two answers to choose from."]


def test_publishing_records_history_and_the_admin_action_reports_refusals(client_a, vendor_admin):
    ready = make_course(publish=False)
    empty = course_create(code="nothing", title="空")

    response = _english(client_a, vendor_admin).post(
        "/admin/academy/course/",
        {"action": "publish", "_selected_action": [str(ready.pk), str(empty.pk)]},
        follow=True,
    )

    texts = sorted(str(m) for m in get_messages(response.wsgi_request))
    ready.refresh_from_db()
    assert ready.status == CourseStatus.PUBLISHED
    assert ready.published_at is not None
    assert list(ready.status_changes.values_list("from_status", "to_status")) == [
        ("draft", "published"),
        ("", "draft"),
    ]
    assert Course.objects.get(pk=empty.pk).status == CourseStatus.DRAFT
    assert texts == sorted(
        [
            f"{ready.title_en} is now Published.",
            "空: A course needs at least one published lesson.",
        ]
    )


def test_a_published_course_keeps_a_published_lesson(client_a, vendor_admin):
    course = make_course(lessons=1)
    lesson = course.lessons.get()
    lesson.is_published = False

    with translation.override("en"), pytest.raises(ValidationError) as refused:
        lesson_save(lesson)

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
        "lessons-TOTAL_FORMS": "1",
        "lessons-INITIAL_FORMS": "1",
        "lessons-MIN_NUM_FORMS": "0",
        "lessons-MAX_NUM_FORMS": "1000",
        "lessons-0-id": str(lesson.pk),
        "lessons-0-course": str(course.pk),
        "lessons-0-position": "1",
        "lessons-0-minutes": "0",
        "lessons-0-title": lesson.title,
        "lessons-0-DELETE": "on",
        "questions-TOTAL_FORMS": "3",
        "questions-INITIAL_FORMS": "3",
        "questions-MIN_NUM_FORMS": "0",
        "questions-MAX_NUM_FORMS": "1000",
        "status_changes-TOTAL_FORMS": "0",
        "status_changes-INITIAL_FORMS": "0",
        "status_changes-MIN_NUM_FORMS": "0",
        "status_changes-MAX_NUM_FORMS": "1000",
    }
    for n, question in enumerate(course.questions.order_by("position", "pk")):
        form[f"questions-{n}-id"] = str(question.pk)
        form[f"questions-{n}-course"] = str(course.pk)
    client = _english(client_a, vendor_admin)
    response = client.post(f"/admin/academy/course/{course.pk}/change/", form)
    delete_page = client.get(f"/admin/academy/lesson/{lesson.pk}/delete/")

    assert refused.value.message_dict == {
        "is_published": ["A published course keeps at least one published lesson."]
    }
    assert response.status_code == 200
    lessons_formset = response.context["inline_admin_formsets"][0].formset
    with translation.override("en"):  # form errors are lazy: read in English here
        shown = [str(e) for e in lessons_formset.non_form_errors()]
    assert shown == ["A published course keeps at least one published lesson; archive it instead."]
    assert delete_page.status_code == 403
    assert Lesson.objects.filter(pk=lesson.pk, is_published=True).exists()


# --- lesson files ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("截图.png", PNG, "截图.png is neither a PDF document nor an MP4 video."),
        ("setup.mp4", EXE, "setup.mp4 is neither a PDF document nor an MP4 video."),
        ("clip.mov", MOV, "clip.mov is neither a PDF document nor an MP4 video."),
        ("song.mp4", M4A, "song.mp4 is neither a PDF document nor an MP4 video."),
        ("clip.mp4", GP3, "clip.mp4 is neither a PDF document nor an MP4 video."),
        ("photo.mp4", HEIC, "photo.mp4 is neither a PDF document nor an MP4 video."),
        ("手册.mp4", PDF, "手册.mp4 is a PDF file but is named .mp4."),
        ("video.pdf", MP4, "video.pdf is a MP4 file but is named .pdf."),
        ("big.pdf", PDF + b"0" * (20 * 1024 * 1024), "big.pdf is larger than 20 MB."),
    ],
)
def test_a_lesson_file_of_the_wrong_kind_is_refused_at_the_field(in_a, name, content, message):
    lesson = lesson_add(course=make_course(publish=False, lessons=0), title="第一课")

    with translation.override("en"), pytest.raises(ValidationError) as refused:
        lesson_file_add(lesson=lesson, upload=SimpleUploadedFile(name, content))

    assert refused.value.message_dict == {"file": [message]}
    assert not LessonFile.objects.exists()


def test_pdf_and_mp4_files_are_stored_privately_under_random_names(in_a):
    lesson = lesson_add(course=make_course(publish=False, lessons=0), title="第一课")

    handout = lesson_file_add(lesson=lesson, upload=SimpleUploadedFile("讲义.pdf", PDF))
    video = lesson_file_add(lesson=lesson, upload=SimpleUploadedFile("demo.MP4", MP4), title="演示")

    assert (handout.kind, handout.content_type, handout.size, handout.original_name) == (
        "document",
        "application/pdf",
        len(PDF),
        "讲义.pdf",
    )
    assert (video.kind, video.content_type, video.size) == ("video", "video/mp4", len(MP4))
    assert handout.file.name.startswith(f"academy/lessons/{lesson.pk}/")
    assert "讲义" not in handout.file.name
    assert video.file.read() == MP4


def test_the_admin_refuses_a_wrong_file_at_its_field_and_links_stored_ones_privately(
    client_a, vendor_admin
):
    course = make_course(publish=False, lessons=1)
    lesson = course.lessons.get()
    stored = lesson_file_add(lesson=lesson, upload=SimpleUploadedFile("讲义.pdf", PDF))
    form = {
        "course": str(course.pk),
        "position": "1",
        "title": lesson.title,
        "title_en": "",
        "body": "<p>正文</p><script>alert(1)</script>",
        "body_en": "",
        "video_url": "",
        "minutes": "0",
        "is_published": "on",
        "files-TOTAL_FORMS": "2",
        "files-INITIAL_FORMS": "1",
        "files-MIN_NUM_FORMS": "0",
        "files-MAX_NUM_FORMS": "1000",
        "files-0-id": str(stored.pk),
        "files-0-lesson": str(lesson.pk),
        "files-0-title": "",
        "files-1-lesson": str(lesson.pk),
        "files-1-title": "截图",
        "files-1-file": SimpleUploadedFile("截图.png", PNG),
    }
    client = _english(client_a, vendor_admin)
    page = client.get(f"/admin/academy/lesson/{lesson.pk}/change/")

    refused = client.post(f"/admin/academy/lesson/{lesson.pk}/change/", form)
    form["files-1-file"] = SimpleUploadedFile("clip.mp4", MP4)
    accepted = client.post(f"/admin/academy/lesson/{lesson.pk}/change/", form)

    assert f'href="/academy/files/{stored.pk}/"' in page.content.decode()
    assert refused.status_code == 200
    files_formset = refused.context["inline_admin_formsets"][0].formset
    assert files_formset.forms[1].errors == {
        "file": ["截图.png is neither a PDF document nor an MP4 video."]
    }
    assert accepted.status_code == 302
    assert sorted(LessonFile.objects.values_list("kind", flat=True)) == ["document", "video"]
    lesson.refresh_from_db()
    assert lesson.body == "<p>正文</p>"  # the script is gone
