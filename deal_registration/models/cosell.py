"""Co-selling (联合跟进): vendor people assigned to a registered deal and the activity timeline
both sides share."""

from __future__ import annotations

import uuid
from pathlib import PurePath

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class TeamRole(models.TextChoices):
    SALES = "sales", _("Sales")
    PRESALES = "presales", _("Presales engineer")


class DealTeamMember(models.Model):
    registration = models.ForeignKey(
        "deal_registration.DealRegistration", on_delete=models.CASCADE, related_name="team"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"partner": None, "is_active": True},
    )
    role = models.CharField(_("role"), max_length=10, choices=TeamRole.choices)
    added_at = models.DateTimeField(_("added at"), auto_now_add=True)

    class Meta:
        verbose_name = _("deal team member")
        verbose_name_plural = _("deal team members")
        ordering = ["role", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["registration", "user"], name="deal_team_once")
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.get_role_display()})"


class ActivityKind(models.TextChoices):
    CALL = "call", _("Call")
    VISIT = "visit", _("Visit")
    DEMO = "demo", _("Demo")
    NOTE = "note", _("Note")
    FILE = "file", _("File")


def activity_file_path(activity: DealActivity, filename: str) -> str:
    # A random name: the original may hold a customer's name, and paths must not be guessable.
    suffix = PurePath(filename).suffix.lower()[:10]
    return f"deals/{activity.registration_id}/{uuid.uuid4().hex}{suffix}"


class DealActivity(models.Model):
    registration = models.ForeignKey(
        "deal_registration.DealRegistration",
        on_delete=models.CASCADE,
        related_name="activities",
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    kind = models.CharField(_("kind"), max_length=8, choices=ActivityKind.choices)
    occurred_on = models.DateField(_("date"))
    body = models.TextField(_("what happened"))
    attachment = models.FileField(
        _("file"), upload_to=activity_file_path, blank=True, max_length=200
    )
    original_name = models.CharField(max_length=200, blank=True, editable=False)
    next_step = models.CharField(_("next step"), max_length=300, blank=True)
    next_step_due = models.DateField(_("next step due"), null=True, blank=True)
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("deal activity")
        verbose_name_plural = _("deal activities")
        ordering = ["-occurred_on", "-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.occurred_on}"
