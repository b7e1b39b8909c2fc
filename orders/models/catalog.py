"""The catalog: categories and products (each product row is one SKU)."""

from __future__ import annotations

from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from prm.core.bilingual import pick
from prm.core.models import AuditReasonMixin
from prm.core.money import MoneyField


class Category(AuditReasonMixin, models.Model):
    code = models.SlugField(_("code"), max_length=48, unique=True)
    name = models.CharField(_("name (Chinese)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100, blank=True)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent category"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        ordering = ["position", "code"]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return pick(self.name, self.name_en)


def product_image_path(instance: Product, filename: str) -> str:
    return f"catalog/{instance.sku}/{filename}"


class Product(AuditReasonMixin, models.Model):
    sku = models.CharField(_("SKU"), max_length=64, unique=True)
    name = models.CharField(_("name (Chinese)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    category = models.ForeignKey(
        Category,
        verbose_name=_("category"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="products",
    )
    product_line = models.ForeignKey(
        "partners.ProductLine",
        verbose_name=_("product line"),
        on_delete=models.PROTECT,
        related_name="products",
        help_text=_("Partners see and order only the product lines they are authorized for."),
    )
    description = models.TextField(_("description"), blank=True)
    attributes = models.JSONField(
        _("attributes"), default=dict, blank=True, help_text=_('e.g. {"颜色": "黑色"}')
    )
    image = models.ImageField(_("image"), upload_to=product_image_path, blank=True)
    unit = models.CharField(_("unit"), max_length=16, default="台")
    pack_size = models.PositiveIntegerField(
        _("pack size"),
        default=1,
        validators=[MinValueValidator(1)],
        help_text=_("Orders are in whole packs: the quantity must be a multiple of this."),
    )
    min_order_quantity = models.PositiveIntegerField(
        _("minimum order quantity"), default=1, validators=[MinValueValidator(1)]
    )
    list_price = MoneyField(_("list price"), validators=[MinValueValidator(0)])
    is_active = models.BooleanField(_("on sale"), default=True)

    class Meta:
        verbose_name = _("product")
        verbose_name_plural = _("products")
        ordering = ["sku"]

    def __str__(self) -> str:
        return f"{self.sku} {self.display_name}"

    @property
    def display_name(self) -> str:
        return pick(self.name, self.name_en)
