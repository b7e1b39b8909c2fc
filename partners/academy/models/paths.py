"""Learning paths (学习路径): an ordered list of courses, each required or optional, for the
partners of an audience (tiers, types, regions: partners.audience) and one role, or both.

A partner user's assigned courses are the published courses of the active paths that match
their company and their role (partners.academy.assignments)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from partners.audience import Audience
from prm.core.bilingual import pick
from prm.core.models import AuditReasonMixin

from .courses import Course


class PathRole(models.TextChoices):
    ANY = "any", _("Every partner user")
    PARTNER_ADMIN = "partner_admin", _("Partner admins")
    PARTNER_USER = "partner_user", _("Partner users (not admins)")


class LearningPath(AuditReasonMixin, Audience):
    code = models.SlugField(_("code"), max_length=48, unique=True)
    title = models.CharField(_("title (Chinese)"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=200, blank=True)
    description = models.TextField(_("description (Chinese)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    role = models.CharField(_("for"), max_length=16, choices=PathRole.choices, default=PathRole.ANY)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    is_active = models.BooleanField(_("active"), default=True)
    courses: models.ManyToManyField[Course, PathCourse] = models.ManyToManyField(
        Course, through="PathCourse", verbose_name=_("courses"), related_name="paths"
    )

    class Meta:
        verbose_name = _("learning path")
        verbose_name_plural = _("learning paths")
        ordering = ["position", "code"]

    def __str__(self) -> str:
        return self.display_title

    @property
    def display_title(self) -> str:
        return pick(self.title, self.title_en)

    @property
    def display_description(self) -> str:
        return pick(self.description, self.description_en)


class PathCourse(models.Model):
    path = models.ForeignKey(
        LearningPath,
        verbose_name=_("learning path"),
        on_delete=models.CASCADE,
        related_name="items",
    )
    course = models.ForeignKey(
        Course, verbose_name=_("course"), on_delete=models.PROTECT, related_name="path_items"
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    required = models.BooleanField(_("required"), default=True)

    class Meta:
        verbose_name = _("course of a path")
        verbose_name_plural = _("courses of a path")
        ordering = ["path", "position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["path", "course"], name="academy_path_course_once")
        ]

    def __str__(self) -> str:
        return f"{self.path} · {self.course}"
