"""The academy is configured here: courses with their lessons, quiz questions with their
answers, lesson files, learning paths. Certificates, attempts and enrollments are for looking
up (written only by the services). The rules are the services' (partners.academy.courses):
the forms below call them, so the admin refuses what the services refuse."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.widgets import AdminFileWidget
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.db.models import QuerySet
from django.forms.models import BaseInlineFormSet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from partners.models import PartnerType
from prm.core.workflow import transition_start
from prm.tenancy.admin_base import (
    LookupOnlyAdmin,
    ReadOnlyInline,
    StatusHistoryInline,
    VendorModelAdmin,
)

from .attempts import attempts_grant
from .certificates import course_recheck, normalize_code
from .courses import (
    ChoiceIn,
    choices_check,
    course_archive,
    course_publish,
    lesson_delete,
    lesson_is_last_published,
    question_delete,
)
from .models import (
    AttemptGrant,
    Certificate,
    Choice,
    Course,
    CourseStatus,
    CourseStatusChange,
    Enrollment,
    LearningPath,
    Lesson,
    LessonCompletion,
    LessonFile,
    PathCourse,
    Question,
    QuizAttempt,
)

# --- courses and lessons --------------------------------------------------------------------------


class _StoredFile:
    """What the file widget links to: the checking download view, not a /media/ address."""

    def __init__(self, url: str, name: str) -> None:
        self.url, self.name = url, name

    def __str__(self) -> str:
        return self.name


class PrivateFileWidget(AdminFileWidget):
    def get_context(self, name: str, value: Any, attrs: Any) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        instance = getattr(value, "instance", None)
        if context["widget"]["is_initial"] and instance is not None and instance.pk:
            context["widget"]["value"] = _StoredFile(
                reverse("academy:file", args=[instance.pk]), instance.original_name
            )
        return context


class LessonFileInline(admin.TabularInline):
    model = LessonFile
    extra = 1
    fields = ("title", "file", "kind", "size", "uploaded_at")
    readonly_fields = ("kind", "size", "uploaded_at")
    formfield_overrides = {models.FileField: {"widget": PrivateFileWidget}}


class LessonFormSet(BaseInlineFormSet):
    def clean(self) -> None:
        super().clean()
        if any(self.errors) or self.instance.status != CourseStatus.PUBLISHED:
            return
        kept = [
            form
            for form in self.forms
            if form.cleaned_data
            and not form.cleaned_data.get("DELETE")
            and form.cleaned_data.get("is_published")
        ]
        if not kept:
            raise ValidationError(
                _("A published course keeps at least one published lesson; archive it instead.")
            )


# Links without a scheme are taken as https (Django 6's default, chosen now).
URL_FIELDS: dict[type[models.Field[Any, Any]], dict[str, Any]] = {
    models.URLField: {"assume_scheme": "https"}
}


class LessonInline(admin.StackedInline):
    model = Lesson
    formset = LessonFormSet
    formfield_overrides = URL_FIELDS
    extra = 0
    show_change_link = True
    fields = (
        ("position", "is_published", "minutes"),
        "title",
        "title_en",
        "body",
        "body_en",
        "video_url",
    )


class QuestionListInline(ReadOnlyInline):
    model = Question
    fields = readonly_fields = ("position", "kind", "text")
    show_change_link = True
    verbose_name_plural = _("quiz questions (edit each on its own page)")


class CourseHistoryInline(StatusHistoryInline):
    model = CourseStatusChange


@admin.register(Course)
class CourseAdmin(VendorModelAdmin):
    list_display = [
        "code",
        "title",
        "title_en",
        "status",
        "validity_months",
        "pass_mark",
        "max_attempts",
        "published_at",
    ]
    list_filter = ["status", "validity_months"]
    search_fields = ["code", "title", "title_en"]
    readonly_fields = ["status", "published_at", "created_at"]
    inlines = [LessonInline, QuestionListInline, CourseHistoryInline]
    actions = ["publish", "archive"]

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)
        if not change:
            transition_start(
                obj, history_model=CourseStatusChange, history_fk="course", actor=request.user
            )

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        # Lessons unpublished or deleted here may leave someone with everything done.
        course_recheck(form.instance)

    def _each(self, request: HttpRequest, queryset: QuerySet[Course], action: Any) -> None:
        for course in queryset.order_by("pk"):
            try:
                moved = action(course, actor=request.user)
            except ValidationError as exc:
                self.message_user(request, f"{course}: {' '.join(exc.messages)}", messages.ERROR)
            else:
                self.message_user(
                    request,
                    gettext("%(course)s is now %(status)s.")
                    % {"course": moved, "status": moved.get_status_display()},
                    messages.SUCCESS,
                )

    @admin.action(description=_("Publish the selected courses"))
    def publish(self, request: HttpRequest, queryset: QuerySet[Course]) -> None:
        self._each(request, queryset, course_publish)

    @admin.action(description=_("Archive the selected courses"))
    def archive(self, request: HttpRequest, queryset: QuerySet[Course]) -> None:
        self._each(request, queryset, course_archive)


class LessonForm(forms.ModelForm):
    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        lesson = self.instance
        if (
            lesson.pk is not None
            and not cleaned.get("is_published")
            and lesson_is_last_published(Lesson.objects.select_related("course").get(pk=lesson.pk))
        ):
            self.add_error(
                "is_published", _("A published course keeps at least one published lesson.")
            )
        return cleaned


@admin.register(Lesson)
class LessonAdmin(VendorModelAdmin):
    form = LessonForm
    list_display = ["title", "course", "position", "is_published", "minutes"]
    list_filter = ["course", "is_published"]
    search_fields = ["title", "title_en", "course__code", "course__title"]
    list_select_related = ["course"]
    inlines = [LessonFileInline]
    formfield_overrides = URL_FIELDS

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        # A lesson stays in its course (Lesson.clean says why).
        fields = list(super().get_readonly_fields(request, obj))
        return [*fields, "course"] if obj is not None else fields

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        course_recheck(form.instance.course)

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        lesson_delete(obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # The last published lesson of a published course stays; the course is archived instead.
        if obj is not None and lesson_is_last_published(obj):
            return False
        return super().has_delete_permission(request, obj)

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)  # one at a time, so the rule above holds
        return actions


# --- quiz -----------------------------------------------------------------------------------------


class ChoiceFormSet(BaseInlineFormSet):
    def clean(self) -> None:
        super().clean()
        if any(self.errors):
            return
        choices = [
            ChoiceIn(form.cleaned_data.get("text") or "", bool(form.cleaned_data.get("is_correct")))
            for form in self.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE")
        ]
        try:
            choices_check(self.instance.kind, choices)
        except ValidationError as exc:
            raise ValidationError(exc.message_dict["choices"]) from exc


class ChoiceInline(admin.TabularInline):
    model = Choice
    formset = ChoiceFormSet
    extra = 4
    fields = ("position", "text", "text_en", "is_correct")


@admin.register(Question)
class QuestionAdmin(VendorModelAdmin):
    list_display = ["__str__", "course", "kind", "position"]
    list_filter = ["course", "kind"]
    search_fields = ["text", "text_en", "course__code", "course__title"]
    list_select_related = ["course"]
    inlines = [ChoiceInline]

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        question_delete(obj)  # may leave someone with everything done: certified then

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        for question in queryset.order_by("pk"):
            question_delete(question)


# --- learning paths -------------------------------------------------------------------------------


class LearningPathForm(forms.ModelForm):
    partner_types = forms.MultipleChoiceField(
        label=_("partner types"),
        choices=PartnerType.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Empty means every partner type."),
    )

    class Meta:
        model = LearningPath
        fields = [
            "code",
            "title",
            "title_en",
            "description",
            "description_en",
            "role",
            "position",
            "is_active",
            "partner_types",
            "tiers",
            "regions",
        ]


class PathCourseInline(admin.TabularInline):
    model = PathCourse
    extra = 1
    fields = ("position", "course", "required")


@admin.register(LearningPath)
class LearningPathAdmin(VendorModelAdmin):
    form = LearningPathForm
    list_display = ["code", "title", "role", "is_active", "position"]
    list_filter = ["role", "is_active", "tiers"]
    search_fields = ["code", "title", "title_en"]
    filter_horizontal = ["tiers", "regions"]
    inlines = [PathCourseInline]


# --- looked up ------------------------------------------------------------------------------------


@admin.register(Certificate)
class CertificateAdmin(LookupOnlyAdmin):
    list_display = ["display_code", "holder_name", "partner", "course", "issued_on", "expires_on"]
    list_filter = ["course", "issued_on", "expires_on"]
    search_fields = ["code", "holder_name", "user__email", "partner__name"]
    list_select_related = ["partner", "course"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return [f.name for f in Certificate._meta.fields]

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[Any], search_term: str
    ) -> tuple[QuerySet[Any], bool]:
        # A code is typed as printed (K7QM-2X9D-HT4B) or as stored (K7QM2X9DHT4B).
        code = normalize_code(search_term)
        if code:
            return queryset.filter(code=code), False
        return super().get_search_results(request, queryset, search_term)

    @admin.display(description=_("verification code"), ordering="code")
    def display_code(self, obj: Certificate) -> str:
        return obj.display_code


@admin.register(QuizAttempt)
class QuizAttemptAdmin(LookupOnlyAdmin):
    list_display = ["submitted_at", "person", "course", "cycle", "number", "score", "passed"]
    list_filter = ["passed", "enrollment__course"]
    search_fields = ["enrollment__user__full_name", "enrollment__user__email"]
    list_select_related = ["enrollment__user", "enrollment__course"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return [f.name for f in QuizAttempt._meta.fields]

    @admin.display(description=_("person"))
    def person(self, obj: QuizAttempt) -> str:
        return obj.enrollment.user.full_name

    @admin.display(description=_("course"))
    def course(self, obj: QuizAttempt) -> str:
        return str(obj.enrollment.course)


class CompletionInline(ReadOnlyInline):
    model = LessonCompletion
    fields = readonly_fields = ("lesson", "cycle", "completed_at")


class GrantInline(ReadOnlyInline):
    model = AttemptGrant
    fields = readonly_fields = ("granted_at", "cycle", "extra", "granted_by", "reason")


@admin.register(Enrollment)
class EnrollmentAdmin(LookupOnlyAdmin):
    list_display = ["user", "course", "cycle", "extra_attempts", "started_at", "completed_at"]
    list_filter = ["course", "cycle"]
    search_fields = ["user__full_name", "user__email", "course__code"]
    list_select_related = ["user", "course"]
    inlines = [CompletionInline, GrantInline]
    actions = ["grant_attempt"]

    @admin.action(description=_("Grant one more quiz attempt (this cycle)"))
    def grant_attempt(self, request: HttpRequest, queryset: QuerySet[Enrollment]) -> None:
        granted = 0
        for enrollment in queryset.select_related("user", "course").order_by("pk"):
            try:
                attempts_grant(
                    enrollment=enrollment,
                    extra=1,
                    actor=request.user,
                    reason=gettext("Granted in the admin."),
                )
            except (ValidationError, PermissionDenied) as exc:
                text = " ".join(getattr(exc, "messages", [])) or gettext("Not allowed.")
                self.message_user(request, f"{enrollment.user}: {text}", messages.ERROR)
            else:
                granted += 1
        if granted:
            self.message_user(
                request,
                ngettext(
                    "One more attempt granted to %(n)d person.",
                    "One more attempt granted to %(n)d people.",
                    granted,
                )
                % {"n": granted},
                messages.SUCCESS,
            )

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return [f.name for f in Enrollment._meta.fields]
