"""Courses (课程): lessons with their files, and the quiz (questions with choices) that closes
the course. A course is a draft until published; partners see published courses only, through
their learning paths; an archived course keeps its certificates but is no longer assigned."""

from __future__ import annotations

import uuid
from pathlib import PurePath
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, URLValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from prm.core.bilingual import pick
from prm.core.models import AuditReasonMixin, StatusChange
from prm.core.richtext import clean_html


class CourseStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    ARCHIVED = "archived", _("Archived")


# An archived course may come back; a published one is archived, never a draft again, because
# people hold certificates for it.
COURSE_TRANSITIONS: dict[str, set[str]] = {
    CourseStatus.DRAFT: {CourseStatus.PUBLISHED},
    CourseStatus.PUBLISHED: {CourseStatus.ARCHIVED},
    CourseStatus.ARCHIVED: {CourseStatus.PUBLISHED},
}


class Course(AuditReasonMixin, models.Model):
    code = models.SlugField(_("code"), max_length=48, unique=True)
    title = models.CharField(_("title (Chinese)"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=200, blank=True)
    summary = models.TextField(_("summary (Chinese)"), blank=True)
    summary_en = models.TextField(_("summary (English)"), blank=True)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=CourseStatus.choices,
        default=CourseStatus.DRAFT,
        editable=False,
        db_index=True,
    )
    validity_months = models.PositiveSmallIntegerField(
        _("certificate valid for (months)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(120)],
        help_text=_("Empty: certificates of this course do not expire."),
    )
    pass_mark = models.PositiveSmallIntegerField(
        _("pass mark (%)"),
        default=80,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
        help_text=_("The quiz is passed with at least this percentage of correct answers."),
    )
    max_attempts = models.PositiveSmallIntegerField(
        _("quiz attempts allowed"),
        default=3,
        validators=[MaxValueValidator(50)],
        help_text=_("0 means no limit. Counted again from zero when a certificate expires."),
    )
    minutes = models.PositiveSmallIntegerField(_("duration (minutes)"), default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("course")
        verbose_name_plural = _("courses")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.display_title

    @property
    def display_title(self) -> str:
        return pick(self.title, self.title_en)

    @property
    def display_summary(self) -> str:
        return pick(self.summary, self.summary_en)


class CourseStatusChange(StatusChange):
    status_labels = dict(CourseStatus.choices)

    course = models.ForeignKey(
        Course, verbose_name=_("course"), on_delete=models.CASCADE, related_name="status_changes"
    )

    class Meta(StatusChange.Meta):
        verbose_name = _("course status change")
        verbose_name_plural = _("course status changes")


class Lesson(AuditReasonMixin, models.Model):
    course = models.ForeignKey(
        Course, verbose_name=_("course"), on_delete=models.CASCADE, related_name="lessons"
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    title = models.CharField(_("title (Chinese)"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=200, blank=True)
    body = models.TextField(
        _("text (Chinese)"),
        blank=True,
        help_text=_("HTML; scripts, styles and unknown tags are removed when saved."),
    )
    body_en = models.TextField(_("text (English)"), blank=True)
    video_url = models.URLField(
        _("video link"),
        blank=True,
        max_length=500,
        validators=[URLValidator(schemes=["http", "https"])],
        help_text=_("A video hosted elsewhere (e.g. the company's video platform)."),
    )
    minutes = models.PositiveSmallIntegerField(_("duration (minutes)"), default=0)
    is_published = models.BooleanField(
        _("published"),
        default=True,
        help_text=_(
            "Partners see published lessons of published courses; all of them must be "
            "completed for the certificate."
        ),
    )

    class Meta:
        verbose_name = _("lesson")
        verbose_name_plural = _("lessons")
        ordering = ["course", "position", "pk"]

    def __str__(self) -> str:
        return self.display_title

    def save(self, *args: Any, **kwargs: Any) -> None:
        # Sanitised on every save, whoever saves: the portal shows the body as HTML.
        self.body = clean_html(self.body or "")
        self.body_en = clean_html(self.body_en or "")
        super().save(*args, **kwargs)

    @property
    def display_title(self) -> str:
        return pick(self.title, self.title_en)

    @property
    def display_body(self) -> str:
        return pick(self.body, self.body_en)

    def clean(self) -> None:
        # A lesson stays in its course: moving it could leave a published course empty and
        # would carry learners' completions into another course. (Whether a published course
        # keeps a published lesson is checked for the whole course: partners.academy.courses.)
        if self.pk is not None and self.course_id is not None:
            before = Lesson.objects.filter(pk=self.pk).values_list("course_id", flat=True).first()
            if before is not None and before != self.course_id:
                raise ValidationError(
                    {"course": _("A lesson cannot be moved to another course; add a new one.")}
                )


class FileKind(models.TextChoices):
    DOCUMENT = "document", _("Document (PDF)")
    VIDEO = "video", _("Video (MP4)")


def lesson_file_path(instance: LessonFile, filename: str) -> str:
    # A random name: paths must not be guessable, and the original may be anything.
    suffix = PurePath(filename).suffix.lower()[:10]
    return f"academy/lessons/{instance.lesson_id}/{uuid.uuid4().hex}{suffix}"


class LessonFile(models.Model):
    """A PDF handout or an MP4 video of a lesson, in private storage: served only by views that
    check the reader may open the lesson (partners.academy.files, .selectors)."""

    lesson = models.ForeignKey(
        Lesson, verbose_name=_("lesson"), on_delete=models.CASCADE, related_name="files"
    )
    title = models.CharField(_("title"), max_length=200, blank=True)
    file = models.FileField(
        _("file"),
        upload_to=lesson_file_path,
        max_length=200,
        help_text=_("A PDF document (up to 20 MB) or an MP4 video (up to 500 MB)."),
    )
    kind = models.CharField(_("kind"), max_length=10, choices=FileKind.choices, editable=False)
    original_name = models.CharField(_("file name"), max_length=200, editable=False)
    content_type = models.CharField(_("content type"), max_length=100, editable=False)
    size = models.PositiveBigIntegerField(_("size (bytes)"), default=0, editable=False)
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("lesson file")
        verbose_name_plural = _("lesson files")
        ordering = ["lesson", "pk"]

    def __str__(self) -> str:
        return self.title or self.original_name

    def clean(self) -> None:
        from ..files import describe_upload

        # Only a file being uploaded now is checked: a stored one was checked when it came.
        if self.file and not getattr(self.file, "_committed", True):
            kind, content_type = describe_upload(self.file.file)
            self.kind = kind
            self.content_type = content_type
            self.original_name = (self.file.name or "")[:200]
            self.size = self.file.size or 0


class QuestionKind(models.TextChoices):
    SINGLE = "single", _("Single choice")
    MULTIPLE = "multiple", _("Multiple choice")


class Question(AuditReasonMixin, models.Model):
    course = models.ForeignKey(
        Course, verbose_name=_("course"), on_delete=models.CASCADE, related_name="questions"
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    kind = models.CharField(
        _("kind"), max_length=10, choices=QuestionKind.choices, default=QuestionKind.SINGLE
    )
    text = models.TextField(_("question (Chinese)"))
    text_en = models.TextField(_("question (English)"), blank=True)

    class Meta:
        verbose_name = _("quiz question")
        verbose_name_plural = _("quiz questions")
        ordering = ["course", "position", "pk"]

    def __str__(self) -> str:
        return self.display_text[:80]

    @property
    def display_text(self) -> str:
        return pick(self.text, self.text_en)


class Choice(models.Model):
    question = models.ForeignKey(
        Question, verbose_name=_("question"), on_delete=models.CASCADE, related_name="choices"
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    text = models.CharField(_("answer (Chinese)"), max_length=300)
    text_en = models.CharField(_("answer (English)"), max_length=300, blank=True)
    is_correct = models.BooleanField(_("correct"), default=False)

    class Meta:
        verbose_name = _("answer choice")
        verbose_name_plural = _("answer choices")
        ordering = ["question", "position", "pk"]

    def __str__(self) -> str:
        return self.display_text

    @property
    def display_text(self) -> str:
        return pick(self.text, self.text_en)
