"""Monthly reconciliation statements (对账单) and the channel's own stock and sell-out."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.postgres.indexes import GinIndex, OpClass
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from partners.recruitment.names import normalize_name
from prm.core.models import AuditReasonMixin
from prm.core.money import MoneyField


class StatementStatus(models.TextChoices):
    ISSUED = "issued", _("Awaiting confirmation")
    CONFIRMED = "confirmed", _("Confirmed")
    DISPUTED = "disputed", _("Disputed")


class Statement(AuditReasonMixin, models.Model):
    """A partner's month: what it had on account, what moved, what it has now.

    The balance is wallet + rebate credit - credit used: positive means the vendor holds the
    partner's money, negative that the partner owes. Lines are a snapshot of the ledger entries.
    """

    number = models.CharField(_("statement no."), max_length=32, unique=True, editable=False)
    partner = models.ForeignKey(
        "partners.Partner",
        verbose_name=_("partner"),
        on_delete=models.PROTECT,
        related_name="statements",
    )
    period = models.DateField(_("month"), help_text=_("The first day of the month."))
    opening_balance = MoneyField(_("opening balance"))
    orders_total = MoneyField(_("orders"), default=0)
    payments_total = MoneyField(_("payments and top-ups"), default=0)
    returns_total = MoneyField(_("returns and refunds"), default=0)
    rebates_total = MoneyField(_("rebate credits"), default=0)
    other_total = MoneyField(_("adjustments"), default=0)
    closing_balance = MoneyField(_("closing balance"))
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=StatementStatus.choices,
        default=StatementStatus.ISSUED,
        db_index=True,
    )
    partner_comment = models.TextField(_("partner's comment"), blank=True)
    responded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("answered by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    responded_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    created_at = models.DateTimeField(_("generated at"), auto_now_add=True)

    class Meta:
        verbose_name = _("statement")
        verbose_name_plural = _("statements")
        ordering = ["-period", "partner_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["partner", "period"], name="statement_once_per_partner_month"
            )
        ]

    def __str__(self) -> str:
        return self.number


class StatementLine(models.Model):
    statement = models.ForeignKey(Statement, on_delete=models.CASCADE, related_name="lines")
    entry = models.ForeignKey("orders.LedgerEntry", on_delete=models.PROTECT, related_name="+")
    booked_at = models.DateTimeField(_("date"))
    description = models.CharField(_("description"), max_length=300)
    amount = MoneyField(_("amount"))
    balance = MoneyField(_("balance"))

    class Meta:
        verbose_name = _("statement line")
        verbose_name_plural = _("statement lines")
        ordering = ["booked_at", "pk"]

    def __str__(self) -> str:
        return f"{self.description} {self.amount}"


class ChannelStockReport(AuditReasonMixin, models.Model):
    """A partner's own stock of vendor products at the end of a month."""

    partner = models.ForeignKey(
        "partners.Partner", verbose_name=_("partner"), on_delete=models.PROTECT, related_name="+"
    )
    period = models.DateField(_("month"), help_text=_("The first day of the month."))
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    submitted_at = models.DateTimeField(_("submitted at"), auto_now=True)

    class Meta:
        verbose_name = _("channel stock report")
        verbose_name_plural = _("channel stock reports")
        ordering = ["-period", "partner_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["partner", "period"], name="channel_stock_once_per_partner_month"
            )
        ]

    def __str__(self) -> str:
        return f"{self.partner_id} {self.period:%Y-%m}"


class ChannelStockLine(models.Model):
    report = models.ForeignKey(ChannelStockReport, on_delete=models.CASCADE, related_name="lines")
    product = models.ForeignKey("orders.Product", on_delete=models.PROTECT, related_name="+")
    quantity = models.PositiveIntegerField(_("quantity on hand"))

    class Meta:
        verbose_name = _("channel stock line")
        verbose_name_plural = _("channel stock lines")
        constraints = [
            models.UniqueConstraint(
                fields=["report", "product"], name="channel_stock_line_once_per_product"
            )
        ]

    def __str__(self) -> str:
        return f"{self.product_id}: {self.quantity}"


class SellOut(models.Model):
    """One sale of a partner to an end customer (动销), reported by the partner."""

    partner = models.ForeignKey(
        "partners.Partner", verbose_name=_("partner"), on_delete=models.PROTECT, related_name="+"
    )
    product = models.ForeignKey(
        "orders.Product", verbose_name=_("product"), on_delete=models.PROTECT, related_name="+"
    )
    sold_on = models.DateField(_("sold on"), db_index=True)
    quantity = models.PositiveIntegerField(_("quantity"), validators=[MinValueValidator(1)])
    end_customer = models.CharField(_("end customer"), max_length=200)
    # Deal registration's conflict engine finds existing customers by this key (trigram index).
    customer_key = models.CharField(max_length=200, blank=True, editable=False)
    province = models.CharField(_("province"), max_length=64)
    city = models.CharField(_("city"), max_length=64, blank=True)
    outside_territory = models.BooleanField(
        _("outside territory"),
        default=False,
        editable=False,
        help_text=_("Sold where the partner is not authorized: possible diversion (窜货)."),
    )
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("reported at"), auto_now_add=True)

    class Meta:
        verbose_name = _("sell-out record")
        verbose_name_plural = _("sell-out records")
        ordering = ["-sold_on", "-pk"]
        indexes = [
            GinIndex(OpClass("customer_key", name="gin_trgm_ops"), name="sellout_customer_trgm")
        ]

    def __str__(self) -> str:
        return f"{self.partner_id} {self.product_id} x {self.quantity}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.customer_key = normalize_name(self.end_customer)[:200]
        super().save(*args, **kwargs)
