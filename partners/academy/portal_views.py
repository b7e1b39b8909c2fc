"""The academy in the partner portal: my learning, a course with its lessons, a lesson with its
files and video, the quiz and its result, my certificates, and the partner admin's view of the
team. Views are thin callers of partners.academy.progress / quizzes; rows come from
partners.academy.selectors and assignments (what is not for this person is a 404)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from prm.accounts.access import partner_required, signed_in_user
from prm.accounts.models import User
from prm.accounts.roles import PARTNER_ROLES, Role
from prm.core.forms import attach_errors

from . import dates
from .assignments import Assignment, active_paths, assignments_by_user, assignments_for
from .certificate_pdf import certificate_response
from .files import file_response
from .models import QuizAttempt
from .portal_forms import QuizForm
from .progress import lesson_complete
from .quizzes import attempts_left, quiz_keys, quiz_submit
from .selectors import (
    attempt_get_visible,
    certificate_get_visible,
    certificates_visible_to,
    lesson_file_get_visible,
    lesson_get_visible,
)
from .standing import Progress, Standing, lessons_done, progress_table


def _assignment(user: User, course_pk: int) -> Assignment:
    found = next((a for a in assignments_for(user) if a.course.pk == course_pk), None)
    if found is None:
        raise Http404
    return found


def _progress(user: User, assignment: Assignment) -> Progress:
    return progress_table([user], {user.pk: [assignment]})[user.pk][0]


@partner_required
def my_learning(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    progress = progress_table([user], {user.pk: assignments_for(user)})[user.pk]
    return render(
        request,
        "academy/portal/home.html",
        {
            "required": [p for p in progress if p.required],
            "optional": [p for p in progress if not p.required],
            "certified": sum(1 for p in progress if p.standing == Standing.CERTIFIED),
            "is_partner_admin": user.role == Role.PARTNER_ADMIN,
        },
    )


@partner_required
def course_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = signed_in_user(request)
    progress = _progress(user, _assignment(user, pk))
    course = progress.course
    done = lessons_done(progress)
    lessons = list(course.lessons.filter(is_published=True).order_by("position", "pk"))
    return render(
        request,
        "academy/portal/course.html",
        {
            "course": course,
            "progress": progress,
            "lessons": [(lesson, lesson.pk in done) for lesson in lessons],
            "next_lesson": next((lesson for lesson in lessons if lesson.pk not in done), None),
        },
    )


@partner_required
def lesson_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = signed_in_user(request)
    lesson = lesson_get_visible(user=user, pk=pk)
    if lesson is None:
        raise Http404
    progress = _progress(user, _assignment(user, lesson.course_id))
    lessons = list(lesson.course.lessons.filter(is_published=True).order_by("position", "pk"))
    index = next(i for i, item in enumerate(lessons) if item.pk == lesson.pk)
    files = list(lesson.files.order_by("pk"))
    return render(
        request,
        "academy/portal/lesson.html",
        {
            "lesson": lesson,
            "course": lesson.course,
            "progress": progress,
            "done": lesson.pk in lessons_done(progress),
            "number": index + 1,
            "count": len(lessons),
            "previous": lessons[index - 1] if index else None,
            "next": lessons[index + 1] if index + 1 < len(lessons) else None,
            "documents": [f for f in files if f.kind == "document"],
            "videos": [f for f in files if f.kind == "video"],
        },
    )


@partner_required
@require_POST
def lesson_complete_view(request: HttpRequest, pk: int) -> HttpResponse:
    user = signed_in_user(request)
    lesson = lesson_get_visible(user=user, pk=pk)
    if lesson is None:
        raise Http404
    try:
        certificate = lesson_complete(user=user, lesson=lesson)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("portal_academy:lesson", pk=pk)
    if certificate is not None:
        messages.success(
            request,
            _("Course complete: your certificate %(code)s is ready.")
            % {"code": certificate.display_code},
        )
        return redirect("portal_academy:certificates")
    messages.success(request, _("Lesson marked as completed."))
    # The same order as the lesson page's "next" (positions may be equal).
    lessons = list(lesson.course.lessons.filter(is_published=True).order_by("position", "pk"))
    index = next((i for i, item in enumerate(lessons) if item.pk == lesson.pk), len(lessons))
    following = lessons[index + 1] if index + 1 < len(lessons) else None
    if following is not None and request.POST.get("next") == "1":
        return redirect("portal_academy:lesson", pk=following.pk)
    return redirect("portal_academy:course", pk=lesson.course_id)


@partner_required
def lesson_file(request: HttpRequest, pk: int) -> HttpResponseBase:
    found = lesson_file_get_visible(user=request.user, pk=pk)
    if found is None:
        raise Http404
    return file_response(request, found)


def _may_take(progress: Progress) -> bool:
    return (
        progress.standing != Standing.CERTIFIED
        and not progress.passed
        and progress.attempts_left != 0
    )


@partner_required
def quiz(request: HttpRequest, pk: int) -> HttpResponse:
    user = signed_in_user(request)
    progress = _progress(user, _assignment(user, pk))
    course = progress.course
    questions, _keys = quiz_keys(course)
    if not questions:
        raise Http404
    may_take = _may_take(progress)
    form = QuizForm(request.POST if request.method == "POST" else None, questions=questions)
    if request.method == "POST" and may_take and form.is_valid():
        try:
            attempt = quiz_submit(user=user, course=course, answers=form.answers())
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            return redirect("portal_academy:attempt", pk=attempt.pk)
    return render(
        request,
        "academy/portal/quiz.html",
        {"course": course, "progress": progress, "form": form, "may_take": may_take},
    )


@partner_required
def attempt_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = signed_in_user(request)
    attempt = attempt_get_visible(user=user, pk=pk)
    if attempt is None:
        raise Http404
    course = attempt.enrollment.course
    used = QuizAttempt.objects.filter(enrollment=attempt.enrollment, cycle=attempt.cycle).count()
    left = attempts_left(course, used, attempt.enrollment.extra_attempts)
    # Which answers were wrong shows once nothing more could be gained from knowing it: after a
    # pass or what was the last attempt allowed when it was taken (stored on it, so attempts
    # granted later do not hide it again, nor does a lower limit reveal earlier ones). The right
    # answers themselves are never shown.
    reveal = attempt.passed or attempt.final
    wrong = set(attempt.wrong)
    questions = list(course.questions.order_by("position", "pk"))
    current = attempt.cycle == attempt.enrollment.cycle
    return render(
        request,
        "academy/portal/attempt.html",
        {
            "attempt": attempt,
            "course": course,
            "attempts_left": left if current else 0,
            "reveal": reveal,
            "marked": [(q, q.pk not in wrong) for q in questions if str(q.pk) in attempt.answers],
            "may_retake": current
            and not attempt.passed
            and left != 0
            and not QuizAttempt.objects.filter(
                enrollment=attempt.enrollment, cycle=attempt.cycle, passed=True
            ).exists(),
        },
    )


@partner_required
def my_certificates(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    certificates = certificates_visible_to(user).filter(user=user).order_by("-issued_at", "-pk")
    return render(
        request,
        "academy/portal/certificates.html",
        {"certificates": certificates, "today": dates.today()},
    )


@partner_required
def certificate_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    certificate = certificate_get_visible(user=request.user, pk=pk)
    if certificate is None:
        raise Http404
    return certificate_response(certificate)


@partner_required
def team(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    if user.role != Role.PARTNER_ADMIN or user.partner is None:
        raise PermissionDenied
    partner = user.partner
    people = list(
        User.objects.filter(
            partner=partner, is_active=True, role__in=sorted(PARTNER_ROLES)
        ).order_by("full_name", "pk")
    )
    assigned = assignments_by_user(people, {partner.pk: partner}, active_paths())
    table = progress_table(people, assigned, company_id=partner.pk)
    return render(
        request,
        "academy/portal/team.html",
        {"partner": partner, "rows": [(person, table[person.pk]) for person in people]},
    )
