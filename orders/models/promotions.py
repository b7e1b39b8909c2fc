"""Promotions (促销): line discounts, gifts (买赠) and spend thresholds (满减).

How they combine is in `orders.promotions`; the rule is documented there and in docs/ordering.md.
"""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from prm.core.bilingual import pick
from prm.core.models import AuditReasonMixin
from prm.core.money import MoneyField


class PromotionKind(models.TextChoices):
    PERCENT_OFF = "percent_off", _("Percentage off")
    AMOUNT_OFF = "amount_off", _("Amount off each unit")
    GIFT = "gift", _("Buy X get Y free")
    THRESHOLD = "threshold", _("Spend threshold discount")


LINE_KINDS = (PromotionKind.PERCENT_OFF, PromotionKind.AMOUNT_OFF)


class Promotion(AuditReasonMixin, models.Model):
    code = models.SlugField(_("code"), max_length=48, unique=True)
    name = models.CharField(_("name (Chinese)"), max_length=120)
    name_en = models.CharField(_("name (English)"), max_length=120, blank=True)
    kind = models.CharField(_("kind"), max_length=16, choices=PromotionKind.choices)
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    is_active = models.BooleanField(_("active"), default=True)
    stackable = models.BooleanField(
        _("stackable"),
        default=False,
        help_text=_(
            "Stackable promotions of the same level all apply; otherwise the best single "
            "promotion applies when it gives more."
        ),
    )
    priority = models.SmallIntegerField(
        _("priority"), default=0, help_text=_("Higher applies first and wins ties.")
    )
    # What it applies to. Empty product set: every product.
    products = models.ManyToManyField(
        "orders.Product", verbose_name=_("products"), blank=True, related_name="promotions"
    )
    # Who may use it. All empty: every partner.
    eligible_tiers = models.ManyToManyField(
        "partners.Tier", verbose_name=_("tiers"), blank=True, related_name="+"
    )
    eligible_regions = models.JSONField(
        _("regions"), default=list, blank=True, help_text=_('Provinces, e.g. ["浙江", "江苏"].')
    )
    eligible_partners = models.ManyToManyField(
        "partners.Partner", verbose_name=_("partners"), blank=True, related_name="+"
    )
    # The benefit.
    percent = models.DecimalField(
        _("percent off"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    amount = MoneyField(_("amount off each unit"), null=True, blank=True)
    buy_quantity = models.PositiveIntegerField(_("buy quantity"), null=True, blank=True)
    gift_product = models.ForeignKey(
        "orders.Product",
        verbose_name=_("gift product"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    gift_quantity = models.PositiveIntegerField(_("gift quantity"), null=True, blank=True)
    # Limits, in units for line and gift promotions and in orders for thresholds.
    limit_per_partner = models.PositiveIntegerField(_("limit per partner"), null=True, blank=True)
    limit_total = models.PositiveIntegerField(_("limit overall"), null=True, blank=True)
    used_total = models.PositiveIntegerField(_("used overall"), default=0, editable=False)

    class Meta:
        verbose_name = _("promotion")
        verbose_name_plural = _("promotions")
        ordering = ["-priority", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")),
                name="promotion_ends_after_start",
                violation_error_message=_("A promotion must end after it starts."),
            ),
            models.CheckConstraint(
                condition=Q(limit_total__isnull=True) | Q(used_total__lte=models.F("limit_total")),
                name="promotion_used_within_limit",
            ),
            models.CheckConstraint(
                condition=(
                    Q(kind="percent_off", percent__isnull=False)
                    | Q(kind="amount_off", amount__isnull=False)
                    | Q(
                        kind="gift",
                        buy_quantity__gte=1,
                        gift_product__isnull=False,
                        gift_quantity__gte=1,
                    )
                    | Q(kind="threshold")
                ),
                name="promotion_has_its_benefit",
                violation_error_message=_(
                    "Give the percentage, the amount, or the buy and gift quantities and gift "
                    "product that this kind of promotion needs."
                ),
            ),
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return pick(self.name, self.name_en)


class PromotionTier(models.Model):
    """满减 steps: spend at least `threshold` (after line discounts), get `discount` off."""

    promotion = models.ForeignKey(
        Promotion, verbose_name=_("promotion"), on_delete=models.CASCADE, related_name="tiers"
    )
    threshold = MoneyField(_("spend at least"), validators=[MinValueValidator(0)])
    discount = MoneyField(_("discount"), validators=[MinValueValidator(0)])

    class Meta:
        verbose_name = _("threshold step")
        verbose_name_plural = _("threshold steps")
        ordering = ["threshold"]
        constraints = [
            models.UniqueConstraint(
                fields=["promotion", "threshold"], name="promotion_tier_once_per_threshold"
            ),
            models.CheckConstraint(
                condition=Q(discount__lte=models.F("threshold")),
                name="promotion_tier_discount_within_threshold",
            ),
        ]

    def __str__(self) -> str:
        return f"≥{self.threshold} −{self.discount}"


class PromotionPartnerUsage(models.Model):
    """Per-partner counter for `limit_per_partner`, changed only by conditional updates."""

    promotion = models.ForeignKey(Promotion, on_delete=models.CASCADE, related_name="usages")
    partner = models.ForeignKey("partners.Partner", on_delete=models.CASCADE, related_name="+")
    used = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("promotion usage")
        verbose_name_plural = _("promotion usages")
        constraints = [
            models.UniqueConstraint(
                fields=["promotion", "partner"], name="promotion_usage_once_per_partner"
            )
        ]

    def __str__(self) -> str:
        return f"{self.promotion_id}/{self.partner_id}: {self.used}"
