"""Bottom-up forecasts (滚动预测): each month every partner forecasts the coming months per
product line; its channel manager adjusts the figures and commits them.

A `Forecast` is one partner's submission in one cycle (the month it is made in); its lines
cover the `HORIZON` months after the cycle. Workflow (table `FORECAST_TRANSITIONS`):
draft → submitted → committed, and submitted → draft when the manager sends it back.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from prm.core.models import AuditReasonMixin, StatusChange
from prm.core.money import MoneyField

HORIZON = 3  # months forecast after the cycle's month


class ForecastStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    COMMITTED = "committed", pgettext_lazy("forecast status", "Committed")


FORECAST_TRANSITIONS: dict[str, set[str]] = {
    ForecastStatus.DRAFT: {ForecastStatus.SUBMITTED},
    ForecastStatus.SUBMITTED: {ForecastStatus.COMMITTED, ForecastStatus.DRAFT},
    ForecastStatus.COMMITTED: set(),
}


class Forecast(AuditReasonMixin, models.Model):
    partner = models.ForeignKey(
        "partners.Partner",
        verbose_name=_("partner"),
        on_delete=models.PROTECT,
        related_name="forecasts",
    )
    cycle = models.DateField(
        _("cycle"), help_text=_("The first day of the month the forecast is made in.")
    )
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=ForecastStatus.choices,
        default=ForecastStatus.DRAFT,
        editable=False,
        db_index=True,
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("submitted by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True, editable=False)
    committed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("committed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    committed_at = models.DateTimeField(_("committed at"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("forecast")
        verbose_name_plural = _("forecasts")
        ordering = ["-cycle", "partner__name"]
        constraints = [
            models.UniqueConstraint(fields=["partner", "cycle"], name="forecast_per_cycle")
        ]

    def __str__(self) -> str:
        return f"{self.partner} {self.cycle:%Y-%m}"


class ForecastLine(models.Model):
    forecast = models.ForeignKey(Forecast, on_delete=models.CASCADE, related_name="lines")
    product_line = models.ForeignKey(
        "partners.ProductLine",
        verbose_name=_("product line"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    month = models.DateField(_("month"), help_text=_("The first day of the forecast month."))
    amount = MoneyField(
        _("partner's forecast"),
        validators=[MinValueValidator(0)],
        help_text=_("Counted orders the partner expects to place in the month."),
    )
    adjusted_amount = MoneyField(
        _("adjusted forecast"),
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
        help_text=_("The channel manager's figure; empty keeps the partner's."),
    )
    adjusted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("adjusted by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("forecast line")
        verbose_name_plural = _("forecast lines")
        ordering = ["month", "product_line__code"]
        constraints = [
            models.UniqueConstraint(
                fields=["forecast", "product_line", "month"], name="forecast_line_once"
            ),
            models.CheckConstraint(condition=Q(amount__gte=0), name="forecast_amount_not_negative"),
            models.CheckConstraint(
                condition=Q(adjusted_amount__isnull=True) | Q(adjusted_amount__gte=0),
                name="forecast_adjusted_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.forecast} {self.product_line_id} {self.month:%Y-%m}"

    @property
    def final_amount(self) -> Decimal:
        return self.amount if self.adjusted_amount is None else self.adjusted_amount


class ForecastStatusChange(StatusChange):
    status_labels = dict(ForecastStatus.choices)

    forecast = models.ForeignKey(
        Forecast,
        on_delete=models.CASCADE,
        related_name="status_changes",
        verbose_name=_("forecast"),
    )

    class Meta(StatusChange.Meta):
        verbose_name = _("forecast status change")
        verbose_name_plural = _("forecast status changes")
