"""Price protection (价格保护): when the vendor cuts a product's price, partners are credited the
difference on the stock they reported holding."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from prm.core.models import AuditReasonMixin
from prm.core.money import MoneyField


class ProtectionStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    COMPUTED = "computed", _("Credits computed")
    SETTLED = "settled", _("Credited")


class PriceProtection(AuditReasonMixin, models.Model):
    product = models.ForeignKey(
        "orders.Product", verbose_name=_("product"), on_delete=models.PROTECT, related_name="+"
    )
    old_price = MoneyField(_("old channel price"), validators=[MinValueValidator(0)])
    new_price = MoneyField(_("new channel price"), validators=[MinValueValidator(0)])
    effective_on = models.DateField(
        _("effective on"),
        help_text=_("Partners are credited for the stock of their last report before this month."),
    )
    status = models.CharField(
        _("status"),
        max_length=8,
        choices=ProtectionStatus.choices,
        default=ProtectionStatus.DRAFT,
        editable=False,
    )
    note = models.CharField(_("note"), max_length=200, blank=True)
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
        verbose_name = _("price protection")
        verbose_name_plural = _("price protections")
        ordering = ["-effective_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.product_id} {self.old_price} → {self.new_price} ({self.effective_on})"

    def clean(self) -> None:
        if (
            self.old_price is not None
            and self.new_price is not None
            and self.new_price >= self.old_price
        ):
            raise ValidationError({"new_price": _("Price protection is for a lower price.")})


class PriceProtectionCredit(models.Model):
    protection = models.ForeignKey(
        PriceProtection, on_delete=models.CASCADE, related_name="credits"
    )
    partner = models.ForeignKey(
        "partners.Partner", verbose_name=_("partner"), on_delete=models.PROTECT, related_name="+"
    )
    stock_month = models.DateField(_("stock reported for"))
    quantity = models.PositiveIntegerField(_("quantity"))
    amount = MoneyField(_("credit"))
    ledger_entry = models.ForeignKey(
        "orders.LedgerEntry", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("price protection credit")
        verbose_name_plural = _("price protection credits")
        ordering = ["protection", "partner"]
        constraints = [
            models.UniqueConstraint(
                fields=["protection", "partner"], name="price_protection_credit_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.partner_id}: {self.quantity} → {self.amount}"
