"""Purchase targets the vendor sets per partner and quarter (任务额)."""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from prm.core.models import AuditReasonMixin
from prm.core.money import MoneyField


class SalesTarget(AuditReasonMixin, models.Model):
    partner = models.ForeignKey(
        "partners.Partner",
        verbose_name=_("partner"),
        on_delete=models.CASCADE,
        related_name="sales_targets",
    )
    year = models.PositiveSmallIntegerField(
        _("year"), validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    quarter = models.PositiveSmallIntegerField(
        _("quarter"), validators=[MinValueValidator(1), MaxValueValidator(4)]
    )
    amount = MoneyField(
        _("purchase target"),
        validators=[MinValueValidator(0)],
        help_text=_("Counted orders the partner should place in the quarter."),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("purchase target")
        verbose_name_plural = _("purchase targets")
        ordering = ["-year", "-quarter", "partner__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["partner", "year", "quarter"], name="sales_target_per_quarter"
            ),
            models.CheckConstraint(
                condition=Q(quarter__gte=1, quarter__lte=4), name="sales_target_quarter_range"
            ),
            models.CheckConstraint(condition=Q(amount__gte=0), name="sales_target_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.partner} {self.year} Q{self.quarter}"
