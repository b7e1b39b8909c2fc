"""Market development funds (市场费用): a fund program with its budget, each partner's
allocation in it, and the allocation's ledger.

An allocation keeps running totals (allocated, reserved, claimed, paid, expired); every change
to them is one row of MdfLedgerEntry written in the same transaction by mdf.ledger, so the
entries of an allocation always add up to its totals, and
available = allocated - reserved - claimed - paid - expired is never negative (a check
constraint, and conditional updates in mdf.ledger)."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from prm.core.bilingual import pick
from prm.core.models import AuditReasonMixin, StatusChange
from prm.core.money import MoneyField


class FundStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    ACTIVE = "active", _("Active")
    CLOSED = "closed", _("Closed")


FUND_TRANSITIONS: dict[str, set[str]] = {
    FundStatus.DRAFT: {FundStatus.ACTIVE},
    FundStatus.ACTIVE: {FundStatus.CLOSED},
    FundStatus.CLOSED: set(),
}


class AllocationMode(models.TextChoices):
    FIXED = "fixed", _("A fixed amount per partner")
    ACCRUED = "accrued", _("A percentage of the partner's purchases")


class MdfFund(AuditReasonMixin, models.Model):
    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name (Chinese)"), max_length=120)
    name_en = models.CharField(_("name (English)"), max_length=120, blank=True)
    status = models.CharField(
        _("status"),
        max_length=8,
        choices=FundStatus.choices,
        default=FundStatus.DRAFT,
        editable=False,
        db_index=True,
    )
    starts_on = models.DateField(_("first day"))
    ends_on = models.DateField(_("last day"))
    expires_on = models.DateField(
        _("unused funds expire on"),
        help_text=_("What is neither reserved nor claimed by then expires."),
    )
    budget = MoneyField(_("total budget"), validators=[MinValueValidator(0)])
    allocation_mode = models.CharField(
        _("allocation mode"), max_length=8, choices=AllocationMode.choices
    )
    fixed_amount = MoneyField(
        _("amount per partner"), null=True, blank=True, validators=[MinValueValidator(0)]
    )
    accrual_rate = models.DecimalField(
        _("percentage of purchases"),
        max_digits=6,
        decimal_places=3,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    claim_days = models.PositiveSmallIntegerField(
        _("days to claim after the activity"),
        default=60,
        help_text=_(
            "A request not claimed this many days after its activity ends lapses, and its "
            "reservation returns to the partner's balance."
        ),
    )
    reminder_days = models.PositiveSmallIntegerField(
        _("remind this many days before"),
        default=14,
        help_text=_("Before funds expire and before a claim deadline, partners are reminded once."),
    )
    marketing_above = MoneyField(
        _("marketing approves above"),
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
        help_text=_(
            "Requests the channel manager approves above this amount also need marketing. "
            "Empty: the channel manager's approval is final."
        ),
    )
    tiers = models.ManyToManyField(
        "partners.Tier", verbose_name=_("partner tiers"), blank=True, related_name="+"
    )
    regions = models.ManyToManyField(
        "partners.Region", verbose_name=_("regions"), blank=True, related_name="+"
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
        verbose_name = _("market fund")
        verbose_name_plural = _("market funds")
        ordering = ["-starts_on", "code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def display_name(self) -> str:
        return pick(self.name, self.name_en)

    def clean(self) -> None:
        errors = {}
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            errors["ends_on"] = _("The last day cannot be before the first day.")
        if self.ends_on and self.expires_on and self.expires_on < self.ends_on:
            errors["expires_on"] = _("Funds cannot expire before the fund's last day.")
        if self.allocation_mode == AllocationMode.FIXED and self.fixed_amount is None:
            errors["fixed_amount"] = _("Enter the amount each partner receives.")
        if self.allocation_mode == AllocationMode.ACCRUED and self.accrual_rate is None:
            errors["accrual_rate"] = _("Enter the percentage of purchases.")
        if errors:
            raise ValidationError(errors)


class MdfFundStatusChange(StatusChange):
    status_labels = dict(FundStatus.choices)

    fund = models.ForeignKey(MdfFund, on_delete=models.CASCADE, related_name="status_changes")

    class Meta(StatusChange.Meta):
        verbose_name = _("market fund status change")
        verbose_name_plural = _("market fund status changes")


class MdfAllocation(models.Model):
    """A partner's share of a fund, with running totals kept by mdf.ledger."""

    fund = models.ForeignKey(MdfFund, on_delete=models.PROTECT, related_name="allocations")
    partner = models.ForeignKey(
        "partners.Partner", on_delete=models.PROTECT, related_name="mdf_allocations"
    )
    allocated = MoneyField(_("allocated"), default=0, editable=False)
    reserved = MoneyField(_("reserved by approved requests"), default=0, editable=False)
    claimed = MoneyField(_("claimed, not yet paid"), default=0, editable=False)
    paid = MoneyField(_("paid"), default=0, editable=False)
    expired = MoneyField(_("expired"), default=0, editable=False)
    # Partners are told once that unused funds expire soon.
    expiry_reminded_on = models.DateField(null=True, blank=True, editable=False)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("market fund allocation")
        verbose_name_plural = _("market fund allocations")
        ordering = ["fund", "partner"]
        constraints = [
            models.UniqueConstraint(fields=["fund", "partner"], name="mdf_allocation_once"),
            models.CheckConstraint(
                condition=Q(allocated__gte=F("reserved") + F("claimed") + F("paid") + F("expired"))
                & Q(reserved__gte=0)
                & Q(claimed__gte=0)
                & Q(paid__gte=0)
                & Q(expired__gte=0),
                name="mdf_allocation_balances",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.fund_id}/{self.partner_id}: {self.available}"

    @property
    def available(self) -> Decimal:
        return self.allocated - self.reserved - self.claimed - self.paid - self.expired


class FundEntryKind(models.TextChoices):
    ALLOCATE = "allocate", _("Allocated")
    RESERVE = "reserve", _("Reserved by an approved request")
    RELEASE = "release", _("Reservation released")
    CLAIM = "claim", _("Claim approved")
    PAY = "pay", _("Paid")
    EXPIRE = "expire", _("Expired")


class MdfLedgerEntry(models.Model):
    """One movement of an allocation. `amount` is positive; the kind says which totals move:
    allocate +allocated; reserve +reserved; release -reserved; claim +claimed (a claim's approved
    amount; its request's reservation is released first, in the same transaction); pay -claimed
    +paid; expire +expired."""

    allocation = models.ForeignKey(MdfAllocation, on_delete=models.PROTECT, related_name="entries")
    kind = models.CharField(_("kind"), max_length=8, choices=FundEntryKind.choices)
    amount = MoneyField(_("amount"), validators=[MinValueValidator(0)])
    available_after = MoneyField(_("available after"))
    reference = models.CharField(_("reference"), max_length=64, blank=True)
    memo = models.CharField(_("memo"), max_length=300, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        verbose_name = _("market fund ledger entry")
        verbose_name_plural = _("market fund ledger entries")
        ordering = ["-created_at", "-pk"]
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="mdf_entry_positive")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.amount}"
