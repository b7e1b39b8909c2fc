"""A person's way through a course: the enrollment (one per person and course, the row locked
by every step), lessons completed and quiz attempts.

Progress counts in cycles: cycle 1 leads to the first certificate; when that certificate
expires the next step starts cycle 2, in which the lessons and the quiz are taken again (and
the attempts limit counts from zero) for a new certificate. Earlier cycles stay as history."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .courses import Course, Lesson


class Enrollment(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        on_delete=models.CASCADE,
        related_name="academy_enrollments",
    )
    course = models.ForeignKey(
        Course, verbose_name=_("course"), on_delete=models.PROTECT, related_name="enrollments"
    )
    cycle = models.PositiveSmallIntegerField(_("cycle"), default=1)
    started_at = models.DateTimeField(_("started at"), auto_now_add=True)
    cycle_started_at = models.DateTimeField(_("cycle started at"), default=timezone.now)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    extra_attempts = models.PositiveSmallIntegerField(
        _("extra quiz attempts"),
        default=0,
        editable=False,
        help_text=_("Granted by the vendor for the current cycle, on top of the course's limit."),
    )

    class Meta:
        verbose_name = _("enrollment")
        verbose_name_plural = _("enrollments")
        ordering = ["-started_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["user", "course"], name="academy_enrollment_once")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} · {self.course}"


class LessonCompletion(models.Model):
    enrollment = models.ForeignKey(Enrollment, on_delete=models.CASCADE, related_name="completions")
    lesson = models.ForeignKey(
        Lesson, verbose_name=_("lesson"), on_delete=models.CASCADE, related_name="completions"
    )
    cycle = models.PositiveSmallIntegerField(_("cycle"))
    completed_at = models.DateTimeField(_("completed at"), auto_now_add=True)

    class Meta:
        verbose_name = _("completed lesson")
        verbose_name_plural = _("completed lessons")
        ordering = ["completed_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["enrollment", "lesson", "cycle"], name="academy_lesson_done_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.enrollment_id} · {self.lesson_id}"


class QuizAttempt(models.Model):
    """One submitted quiz: the answers as given, and the score computed here, never sent by the
    browser. `wrong` lists the questions answered wrongly, for showing once it may be shown."""

    enrollment = models.ForeignKey(
        Enrollment, verbose_name=_("enrollment"), on_delete=models.PROTECT, related_name="attempts"
    )
    cycle = models.PositiveSmallIntegerField(_("cycle"))
    number = models.PositiveSmallIntegerField(_("attempt"))
    answers = models.JSONField(_("answers"), default=dict)
    wrong = models.JSONField(_("questions answered wrongly"), default=list)
    correct_count = models.PositiveSmallIntegerField(_("correct answers"))
    question_count = models.PositiveSmallIntegerField(_("questions"))
    score = models.DecimalField(_("score (%)"), max_digits=5, decimal_places=2)
    pass_mark = models.PositiveSmallIntegerField(_("pass mark (%)"))
    passed = models.BooleanField(_("passed"))
    # Whether this was the last attempt allowed when it was taken: the wrong answers are shown
    # then, and stay shown even if more attempts are granted later.
    final = models.BooleanField(_("last attempt allowed"), default=False)
    submitted_at = models.DateTimeField(_("submitted at"), auto_now_add=True)

    class Meta:
        verbose_name = _("quiz attempt")
        verbose_name_plural = _("quiz attempts")
        ordering = ["-submitted_at", "-pk"]
        constraints = [
            # The attempts limit is enforced under the enrollment's row lock; this is the floor.
            models.UniqueConstraint(
                fields=["enrollment", "cycle", "number"], name="academy_attempt_number_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.enrollment_id} #{self.number}: {self.score}%"


class AttemptGrant(models.Model):
    """Extra quiz attempts given to one person for one cycle, and who gave them (the audit)."""

    enrollment = models.ForeignKey(
        Enrollment, verbose_name=_("enrollment"), on_delete=models.CASCADE, related_name="grants"
    )
    cycle = models.PositiveSmallIntegerField(_("cycle"))
    extra = models.PositiveSmallIntegerField(_("extra attempts"))
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("granted by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    granted_at = models.DateTimeField(_("granted at"), auto_now_add=True)

    class Meta:
        verbose_name = _("extra attempts granted")
        verbose_name_plural = _("extra attempts granted")
        ordering = ["-granted_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.enrollment_id} +{self.extra}"
