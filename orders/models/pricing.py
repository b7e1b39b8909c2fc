"""Channel price lists (等级价 / 区域价 / 客户价) on top of each product's list price.

How a price is chosen is in `orders.pricing`; the rule is documented there and in docs/ordering.md.
"""

from __future__ import annotations

from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from prm.core.models import AuditReasonMixin
from prm.core.money import MoneyField


class PriceListKind(models.TextChoices):
    TIER = "tier", _("Tier price")
    REGION = "region", _("Region price")
    PARTNER = "partner", _("Partner price")


# Higher wins: a price agreed with one partner beats its region's, which beats its tier's.
KIND_PRECEDENCE = {PriceListKind.PARTNER: 3, PriceListKind.REGION: 2, PriceListKind.TIER: 1}


class PriceList(AuditReasonMixin, models.Model):
    name = models.CharField(_("name"), max_length=120)
    kind = models.CharField(_("applies to"), max_length=10, choices=PriceListKind.choices)
    tier = models.ForeignKey(
        "partners.Tier",
        verbose_name=_("tier"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="price_lists",
    )
    region = models.CharField(
        _("province / region"),
        max_length=64,
        blank=True,
        help_text=_("As written on the partner's profile, e.g. 浙江."),
    )
    partner = models.ForeignKey(
        "partners.Partner",
        verbose_name=_("partner"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="price_lists",
    )
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_to = models.DateField(
        _("valid to"), null=True, blank=True, help_text=_("Inclusive; empty means open-ended.")
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("price list")
        verbose_name_plural = _("price lists")
        ordering = ["kind", "name"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(kind="tier", tier__isnull=False, partner__isnull=True, region="")
                    | Q(kind="region", tier__isnull=True, partner__isnull=True) & ~Q(region="")
                    | Q(kind="partner", tier__isnull=True, partner__isnull=False, region="")
                ),
                name="price_list_target_matches_kind",
                violation_error_message=_(
                    "A tier price list names a tier, a region list a region, a partner list a "
                    "partner, and nothing else."
                ),
            ),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True)
                | Q(valid_from__isnull=True)
                | Q(valid_to__gte=models.F("valid_from")),
                name="price_list_valid_to_after_from",
                violation_error_message=_("The list must end on or after it starts."),
            ),
        ]

    def __str__(self) -> str:
        return self.name


class PriceListItem(models.Model):
    price_list = models.ForeignKey(
        PriceList, verbose_name=_("price list"), on_delete=models.CASCADE, related_name="items"
    )
    product = models.ForeignKey(
        "orders.Product",
        verbose_name=_("product"),
        on_delete=models.CASCADE,
        related_name="price_items",
    )
    min_quantity = models.PositiveIntegerField(
        _("from quantity"),
        default=1,
        validators=[MinValueValidator(1)],
        help_text=_("Quantity break: this price applies from this quantity up."),
    )
    price = MoneyField(_("unit price"), validators=[MinValueValidator(0)])

    class Meta:
        verbose_name = _("price list item")
        verbose_name_plural = _("price list items")
        ordering = ["product_id", "min_quantity"]
        constraints = [
            models.UniqueConstraint(
                fields=["price_list", "product", "min_quantity"],
                name="price_item_once_per_break",
            )
        ]

    def __str__(self) -> str:
        return f"{self.product_id} ≥{self.min_quantity}: {self.price}"
