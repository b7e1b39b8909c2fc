"""Reports a person asked to receive by email, with the filters they chose."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _


class ReportKind(models.TextChoices):
    COCKPIT = "cockpit", _("Channel cockpit")
    SCOREBOARD = "scoreboard", _("Partner scoreboard")
    FORECAST = "forecast", _("Forecast roll-up")


class Frequency(models.TextChoices):
    WEEKLY = "weekly", _("Weekly")
    MONTHLY = "monthly", _("Monthly")


class ReportSubscription(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recipient"),
        on_delete=models.CASCADE,
        related_name="report_subscriptions",
    )
    kind = models.CharField(_("report"), max_length=16, choices=ReportKind.choices)
    frequency = models.CharField(_("frequency"), max_length=8, choices=Frequency.choices)
    weekday = models.PositiveSmallIntegerField(
        _("weekday"),
        default=0,
        validators=[MaxValueValidator(6)],
        help_text=_("Weekly reports: 0 is Monday, 6 is Sunday."),
    )
    day_of_month = models.PositiveSmallIntegerField(
        _("day of month"),
        default=1,
        validators=[MinValueValidator(1), MaxValueValidator(28)],
        help_text=_("Monthly reports: 1 to 28, so that every month has the day."),
    )
    query = models.CharField(
        _("filters"),
        max_length=500,
        blank=True,
        help_text=_("The report's filters, as in its URL."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    last_sent_on = models.DateField(_("last sent on"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("report subscription")
        verbose_name_plural = _("report subscriptions")
        ordering = ["user_id", "kind", "pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.get_frequency_display()}"
