"""Rebate programs (返利政策) as the vendor states them: who, what, which basis, which tiers."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from partners.models import PartnerType
from prm.core.models import AuditReasonMixin, StatusChange
from prm.core.money import MoneyField


class ProgramStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    ACTIVE = "active", _("Active")
    CLOSED = "closed", _("Closed")


PROGRAM_TRANSITIONS: dict[str, set[str]] = {
    ProgramStatus.DRAFT: {ProgramStatus.ACTIVE},
    ProgramStatus.ACTIVE: {ProgramStatus.CLOSED},
    ProgramStatus.CLOSED: set(),
}


class PeriodType(models.TextChoices):
    MONTH = "month", _("Month")
    QUARTER = "quarter", _("Quarter")
    HALF = "half", _("Half year")
    YEAR = "year", _("Year")
    CUSTOM = "custom", _("Custom range (one period)")


class Basis(models.TextChoices):
    ORDERED = "ordered", _("Ordered net amount")
    SHIPPED = "shipped", _("Shipped amount")
    COLLECTED = "collected", _("Collected payments (回款)")
    QUANTITY = "quantity", _("Quantity ordered")
    SELL_OUT = "sell_out", _("Reported sell-out quantity")


class TierMode(models.TextChoices):
    RETROACTIVE = "retroactive", _("Retroactive: the rate reached applies to the whole basis")
    MARGINAL = "marginal", _("Marginal: each band at its own rate")


class RebateProgram(AuditReasonMixin, models.Model):
    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name (Chinese)"), max_length=120)
    name_en = models.CharField(_("name (English)"), max_length=120, blank=True)
    status = models.CharField(
        _("status"),
        max_length=8,
        choices=ProgramStatus.choices,
        default=ProgramStatus.DRAFT,
        editable=False,
        db_index=True,
    )
    period_type = models.CharField(_("period"), max_length=8, choices=PeriodType.choices)
    starts_on = models.DateField(_("first day"))
    ends_on = models.DateField(_("last day"))
    basis = models.CharField(_("basis"), max_length=10, choices=Basis.choices)
    tier_mode = models.CharField(_("tier mode"), max_length=12, choices=TierMode.choices)

    # Eligibility: empty means everyone on that dimension.
    tiers = models.ManyToManyField(
        "partners.Tier", verbose_name=_("partner tiers"), blank=True, related_name="+"
    )
    regions = models.ManyToManyField(
        "partners.Region", verbose_name=_("regions"), blank=True, related_name="+"
    )
    partner_types = ArrayField(
        models.CharField(max_length=16),
        verbose_name=_("partner types"),
        default=list,
        blank=True,
    )
    partners = models.ManyToManyField(
        "partners.Partner", verbose_name=_("named partners"), blank=True, related_name="+"
    )

    # Scope: empty means every product; exclusions win.
    product_lines = models.ManyToManyField(
        "partners.ProductLine", verbose_name=_("product lines"), blank=True, related_name="+"
    )
    categories = models.ManyToManyField(
        "orders.Category", verbose_name=_("categories"), blank=True, related_name="+"
    )
    products = models.ManyToManyField(
        "orders.Product", verbose_name=_("products (SKUs)"), blank=True, related_name="+"
    )
    excluded_products = models.ManyToManyField(
        "orders.Product", verbose_name=_("excluded products"), blank=True, related_name="+"
    )

    partner_cap = MoneyField(
        _("cap per partner and period"),
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    program_cap = MoneyField(
        _("cap per period for all partners"),
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
        help_text=_("When the accruals exceed it, each is scaled down in proportion."),
    )
    new_customer_bonus = MoneyField(
        _("bonus per new customer won"),
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
        help_text=_(
            "Paid for each deal registration the partner wins in the period whose customer "
            "the vendor has never won before (same credit code or name) and is not one of its "
            "named accounts. Limited to the program's product lines when it has any."
        ),
    )
    exclusive_group = models.CharField(
        _("exclusive group"),
        max_length=40,
        blank=True,
        help_text=_(
            "Programs sharing a group do not stack: a partner earns only the largest of them "
            "for a period. Empty: stacks with every other program."
        ),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("rebate program")
        verbose_name_plural = _("rebate programs")
        ordering = ["-starts_on", "code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    def clean(self) -> None:
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            raise ValidationError({"ends_on": _("The last day cannot be before the first day.")})
        unknown = set(self.partner_types or []) - set(PartnerType.values)
        if unknown:
            raise ValidationError(
                {"partner_types": _("Unknown partner type: %(v)s.") % {"v": ", ".join(unknown)}}
            )


def _number(value: Decimal | None) -> str:
    """20000.00 → "20,000", 2.500 → "2.5": how people write thresholds and rates."""
    if value is None:
        return ""
    text = f"{value:,.3f}".rstrip("0").rstrip(".")
    return text


class RebateTier(models.Model):
    """One band: from `threshold_from` (inclusive) up to `threshold_to` (exclusive; empty: no
    upper bound), paying `rate` percent of the basis or a `fixed_amount`."""

    program = models.ForeignKey(RebateProgram, on_delete=models.CASCADE, related_name="bands")
    threshold_from = models.DecimalField(
        pgettext_lazy("threshold", "from"),
        max_digits=16,
        decimal_places=2,
        validators=[MinValueValidator(0)],
    )
    threshold_to = models.DecimalField(
        _("up to (excluded)"), max_digits=16, decimal_places=2, null=True, blank=True
    )
    rate = models.DecimalField(
        _("rate (%)"),
        max_digits=6,
        decimal_places=3,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    fixed_amount = MoneyField(
        _("fixed amount"), null=True, blank=True, validators=[MinValueValidator(0)]
    )

    class Meta:
        verbose_name = _("rebate tier")
        verbose_name_plural = _("rebate tiers")
        ordering = ["program", "threshold_from"]

    def __str__(self) -> str:
        upper = _number(self.threshold_to) if self.threshold_to is not None else "∞"
        value = f"{_number(self.rate)}%" if self.rate is not None else _number(self.fixed_amount)
        return f"{_number(self.threshold_from)} – {upper}: {value}"


class RebateProgramStatusChange(StatusChange):
    status_labels = dict(ProgramStatus.choices)

    program = models.ForeignKey(
        RebateProgram, on_delete=models.CASCADE, related_name="status_changes"
    )

    class Meta(StatusChange.Meta):
        verbose_name = _("rebate program status change")
        verbose_name_plural = _("rebate program status changes")
