"""Claims (费用核销): what a partner spent on an approved request, with its invoices and results,
and the vendor's decision."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from prm.core.models import AuditReasonMixin, StatusChange
from prm.core.money import MoneyField

from .requests import MdfRequest


class ClaimStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Waiting for review")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    SETTLED = "settled", _("Settled")


CLAIM_TRANSITIONS: dict[str, set[str]] = {
    ClaimStatus.SUBMITTED: {ClaimStatus.APPROVED, ClaimStatus.REJECTED},
    ClaimStatus.APPROVED: {ClaimStatus.SETTLED},
    ClaimStatus.REJECTED: set(),
    ClaimStatus.SETTLED: set(),
}


class SettledAs(models.TextChoices):
    WALLET = "wallet", _("Into the prepaid wallet")
    PAYOUT = "payout", _("Payout (bank transfer)")


class ClaimQuerySet(models.QuerySet["MdfClaim"]):
    def live(self) -> ClaimQuerySet:
        """In review or decided: the claim that holds its request's money. A rejected one does
        not; the partner may claim again."""
        return self.exclude(status=ClaimStatus.REJECTED)


class MdfClaim(AuditReasonMixin, models.Model):
    number = models.CharField(_("claim no."), max_length=32, unique=True, editable=False)
    request = models.ForeignKey(
        MdfRequest, verbose_name=_("request"), on_delete=models.PROTECT, related_name="claims"
    )
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=ClaimStatus.choices,
        default=ClaimStatus.SUBMITTED,
        editable=False,
        db_index=True,
    )
    claimed_amount = MoneyField(_("claimed"), editable=False)
    approved_amount = MoneyField(_("approved"), null=True, blank=True, editable=False)
    leads = models.PositiveIntegerField(_("leads"), default=0)
    new_customers = models.PositiveIntegerField(_("new customers"), default=0)
    revenue = MoneyField(_("revenue reported"), default=0, validators=[MinValueValidator(0)])
    deals = models.ManyToManyField(
        "deal_registration.DealRegistration",
        verbose_name=_("registered deals"),
        blank=True,
        related_name="+",
    )
    orders = models.ManyToManyField(
        "orders.Order", verbose_name=_("orders"), blank=True, related_name="+"
    )
    settled_as = models.CharField(
        _("paid as"), max_length=6, choices=SettledAs.choices, blank=True, editable=False
    )
    payout_reference = models.CharField(
        _("payout reference"), max_length=64, blank=True, editable=False
    )
    ledger_entry = models.ForeignKey(
        "orders.LedgerEntry",
        verbose_name=_("wallet entry"),
        null=True,
        blank=True,
        editable=False,
        on_delete=models.PROTECT,
        related_name="+",
    )
    settled_at = models.DateTimeField(_("settled at"), null=True, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = ClaimQuerySet.as_manager()

    class Meta:
        verbose_name = _("market fund claim")
        verbose_name_plural = _("market fund claims")
        ordering = ["-created_at", "-pk"]
        constraints = [
            # One live claim per request; after a rejection the partner may claim again.
            models.UniqueConstraint(
                fields=["request"],
                condition=~Q(status="rejected"),
                name="mdf_claim_once_per_request",
            )
        ]

    def __str__(self) -> str:
        return self.number


class MdfInvoice(models.Model):
    claim = models.ForeignKey(MdfClaim, on_delete=models.CASCADE, related_name="invoices")
    number = models.CharField(_("invoice no."), max_length=40)
    number_key = models.CharField(max_length=40, editable=False)
    issued_on = models.DateField(_("invoice date"))
    amount = MoneyField(_("amount"), validators=[MinValueValidator(0)])
    issuer = models.CharField(_("issuer"), max_length=200)
    # False once its claim is rejected: the invoice may then be claimed again.
    counts = models.BooleanField(default=True, editable=False)

    class Meta:
        verbose_name = _("invoice")
        verbose_name_plural = _("invoices")
        ordering = ["pk"]
        constraints = [
            # The same invoice is never claimed twice in a vendor's schema, whoever claims it.
            models.UniqueConstraint(
                fields=["number_key"], condition=Q(counts=True), name="mdf_invoice_once"
            )
        ]

    def __str__(self) -> str:
        return self.number


class MdfClaimStatusChange(StatusChange):
    status_labels = dict(ClaimStatus.choices)

    claim = models.ForeignKey(MdfClaim, on_delete=models.CASCADE, related_name="status_changes")

    class Meta(StatusChange.Meta):
        verbose_name = _("market fund claim status change")
        verbose_name_plural = _("market fund claim status changes")
