"""Partner money: prepaid wallet (预存款), rebate credit (返利), credit used (信用额度).

Each account keeps its balance on its row and an append-only entry per change with the balance
after it. Balances change only in `orders.ledger` by conditional UPDATEs, so a balance can never
go below zero (or credit above the limit) whatever runs at the same time.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from prm.core.models import AuditReasonMixin, StatusChange
from prm.core.money import MoneyField


class AccountKind(models.TextChoices):
    PREPAID = "prepaid", _("Prepaid wallet")
    REBATE = "rebate", _("Rebate credit")
    CREDIT = "credit", _("Credit used")


class Account(models.Model):
    partner = models.ForeignKey(
        "partners.Partner",
        verbose_name=_("partner"),
        on_delete=models.PROTECT,
        related_name="accounts",
    )
    kind = models.CharField(_("kind"), max_length=10, choices=AccountKind.choices)
    balance = MoneyField(_("balance"), default=0, editable=False)

    class Meta:
        verbose_name = _("account")
        verbose_name_plural = _("accounts")
        ordering = ["partner_id", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["partner", "kind"], name="account_once_per_kind"),
            # The last line of defence; the service's conditional updates refuse first.
            models.CheckConstraint(condition=Q(balance__gte=0), name="account_never_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.partner_id} {self.get_kind_display()}: {self.balance}"


class EntryKind(models.TextChoices):
    TOP_UP = "top_up", _("Top-up")
    PAYMENT = "payment", _("Payment received")
    ORDER = "order", _("Order")
    ORDER_REFUND = "order_refund", _("Order cancelled or rejected")
    RETURN = "return", _("Return credit")
    REBATE = "rebate", _("Rebate settlement")
    MDF = "mdf", _("Market fund claim settlement")
    ADJUSTMENT = "adjustment", _("Adjustment")


class LedgerEntry(models.Model):
    """One change of one account. Never updated or deleted; corrections are new entries."""

    account = models.ForeignKey(
        Account, verbose_name=_("account"), on_delete=models.PROTECT, related_name="entries"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=EntryKind.choices)
    amount = MoneyField(_("amount"), help_text=_("Signed: what the balance changed by."))
    balance_after = MoneyField(_("balance after"))
    order = models.ForeignKey(
        "orders.Order",
        verbose_name=_("order"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="ledger_entries",
    )
    memo = models.CharField(_("memo"), max_length=300, blank=True)
    reference = models.CharField(
        _("reference"), max_length=64, blank=True, help_text=_("Bank slip, ERP voucher, RMA no.")
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("at"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("ledger entry")
        verbose_name_plural = _("ledger entries")
        ordering = ["-pk"]
        constraints = [models.CheckConstraint(condition=~Q(amount=0), name="ledger_entry_moves")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.amount}"


class TopUpStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


TOP_UP_TRANSITIONS: dict[str, set[str]] = {
    TopUpStatus.SUBMITTED: {TopUpStatus.APPROVED, TopUpStatus.REJECTED},
    TopUpStatus.APPROVED: set(),
    TopUpStatus.REJECTED: set(),
}


def top_up_proof_path(instance: TopUpRequest, filename: str) -> str:
    return f"partners/{instance.partner_id}/top-ups/{filename}"


class TopUpRequest(AuditReasonMixin, models.Model):
    """A dealer says it transferred money; finance checks the bank and approves (预存款充值)."""

    number = models.CharField(_("request no."), max_length=32, unique=True, editable=False)
    partner = models.ForeignKey(
        "partners.Partner", verbose_name=_("partner"), on_delete=models.PROTECT, related_name="+"
    )
    amount = MoneyField(_("amount"), validators=[MinValueValidator(0)])
    transferred_on = models.DateField(_("transferred on"))
    bank_reference = models.CharField(_("bank reference"), max_length=64, blank=True)
    proof = models.FileField(_("proof of transfer"), upload_to=top_up_proof_path)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=TopUpStatus.choices,
        default=TopUpStatus.SUBMITTED,
        editable=False,
        db_index=True,
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("submitted by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    created_at = models.DateTimeField(_("submitted at"), auto_now_add=True)

    class Meta:
        verbose_name = _("top-up request")
        verbose_name_plural = _("top-up requests")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="top_up_positive"),
        ]

    def __str__(self) -> str:
        return self.number


class TopUpStatusChange(StatusChange):
    status_labels = dict(TopUpStatus.choices)

    request = models.ForeignKey(
        TopUpRequest, on_delete=models.CASCADE, related_name="status_changes"
    )

    class Meta(StatusChange.Meta):
        verbose_name = _("top-up status change")
        verbose_name_plural = _("top-up status changes")


class PaymentMethod(models.TextChoices):
    BANK_TRANSFER = "bank_transfer", _("Bank transfer")
    ACCEPTANCE_BILL = "acceptance_bill", _("Bank acceptance bill")
    CASH = "cash", _("Cash")
    OTHER = "other", _("Other")


class Payment(AuditReasonMixin, models.Model):
    """Money collected from a partner (回款): pays off credit used first, the rest is prepaid."""

    number = models.CharField(_("payment no."), max_length=32, unique=True, editable=False)
    partner = models.ForeignKey(
        "partners.Partner", verbose_name=_("partner"), on_delete=models.PROTECT, related_name="+"
    )
    amount = MoneyField(_("amount"), validators=[MinValueValidator(0)])
    method = models.CharField(
        _("method"),
        max_length=16,
        choices=PaymentMethod.choices,
        default=PaymentMethod.BANK_TRANSFER,
    )
    received_on = models.DateField(_("received on"))
    reference = models.CharField(_("reference"), max_length=64, blank=True)
    source = models.CharField(
        _("source"), max_length=16, default="manual", help_text=_("manual, or the ERP it came from")
    )
    external_id = models.CharField(_("external id"), max_length=64, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        ordering = ["-received_on", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="payment_positive"),
            # An ERP sync that runs twice records each payment once.
            models.UniqueConstraint(
                fields=["source", "external_id"],
                condition=~Q(external_id=""),
                name="payment_once_per_external_id",
            ),
        ]

    def __str__(self) -> str:
        return self.number
