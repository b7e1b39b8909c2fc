"""Certificates (证书): issued to a person, not a company, once per cycle of a course.

The holder's name, company and the course's titles are copied when issued: a certificate says
what was true that day. It is valid up to the day before `expires_on` (empty: it does not
expire); the verification code is public, the rest of the person is not."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from prm.core.bilingual import pick

from .courses import Course


def format_code(code: str) -> str:
    """ "K7QM2X9DHT4B" → "K7QM-2X9D-HT4B": easier to read aloud and to type."""
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))


class Certificate(models.Model):
    code = models.CharField(_("verification code"), max_length=12, unique=True, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("holder"),
        on_delete=models.PROTECT,
        related_name="academy_certificates",
    )
    partner = models.ForeignKey(
        "partners.Partner",
        verbose_name=_("partner"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="academy_certificates",
    )
    course = models.ForeignKey(
        Course, verbose_name=_("course"), on_delete=models.PROTECT, related_name="certificates"
    )
    cycle = models.PositiveSmallIntegerField(_("cycle"), default=1)
    # The company as it was named when the certificate was issued: a certificate says what was
    # true that day, and belongs to that company (its admins see it, not a later employer's).
    company_name = models.CharField(_("company name (Chinese)"), max_length=200, blank=True)
    company_name_en = models.CharField(_("company name (English)"), max_length=200, blank=True)
    holder_name = models.CharField(_("holder name"), max_length=150)
    course_title = models.CharField(_("course title (Chinese)"), max_length=200)
    course_title_en = models.CharField(_("course title (English)"), max_length=200, blank=True)
    issued_on = models.DateField(_("issued on"))
    issued_at = models.DateTimeField(_("issued at"), auto_now_add=True)
    expires_on = models.DateField(_("expires on"), null=True, blank=True, db_index=True)
    reminded_30_on = models.DateField(_("30-day reminder sent on"), null=True, blank=True)
    reminded_7_on = models.DateField(_("7-day reminder sent on"), null=True, blank=True)
    expiry_noted_on = models.DateField(_("expiry noted on"), null=True, blank=True)

    class Meta:
        verbose_name = _("certificate")
        verbose_name_plural = _("certificates")
        ordering = ["-issued_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "course", "cycle"], name="academy_certificate_once_per_cycle"
            )
        ]

    def __str__(self) -> str:
        return f"{self.display_code} {self.holder_name}"

    @property
    def display_code(self) -> str:
        return format_code(self.code)

    @property
    def display_company_name(self) -> str:
        return pick(self.company_name, self.company_name_en)

    @property
    def display_course_title(self) -> str:
        return pick(self.course_title, self.course_title_en)

    def is_valid_on(self, day: date) -> bool:
        return self.expires_on is None or day < self.expires_on
