"""Warehouses and stock. `reserved` is what submitted orders hold; available = on hand - reserved.

Stock rows change only in `orders.inventory`, with the rows of one order locked in a fixed order
(by primary key), so concurrent checkouts can neither oversell nor deadlock.
"""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from prm.core.bilingual import pick
from prm.core.models import AuditReasonMixin


class Warehouse(AuditReasonMixin, models.Model):
    code = models.SlugField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name (Chinese)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100, blank=True)
    region = models.CharField(_("province / region"), max_length=64, blank=True)
    priority = models.PositiveSmallIntegerField(
        _("priority"), default=0, help_text=_("Orders are served from lower numbers first.")
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("warehouse")
        verbose_name_plural = _("warehouses")
        ordering = ["priority", "code"]

    def __str__(self) -> str:
        return pick(self.name, self.name_en)


class Stock(models.Model):
    product = models.ForeignKey(
        "orders.Product", verbose_name=_("product"), on_delete=models.PROTECT, related_name="stock"
    )
    warehouse = models.ForeignKey(
        Warehouse, verbose_name=_("warehouse"), on_delete=models.PROTECT, related_name="stock"
    )
    on_hand = models.IntegerField(_("on hand"), default=0, editable=False)
    reserved = models.IntegerField(_("reserved"), default=0, editable=False)
    safety_stock = models.PositiveIntegerField(
        _("safety stock"), default=0, help_text=_("The order desk is alerted below this.")
    )
    alerted_at = models.DateTimeField(
        _("low-stock alert sent"), null=True, blank=True, editable=False
    )

    class Meta:
        verbose_name = _("stock")
        verbose_name_plural = _("stock")
        ordering = ["product_id", "warehouse__priority", "warehouse_id"]
        constraints = [
            models.UniqueConstraint(fields=["product", "warehouse"], name="stock_once_per_place"),
            models.CheckConstraint(
                condition=Q(reserved__gte=0) & Q(on_hand__gte=F("reserved")),
                name="stock_never_oversold",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.product_id}@{self.warehouse_id}: {self.on_hand}/{self.reserved}"

    @property
    def available(self) -> int:
        return self.on_hand - self.reserved


class MovementKind(models.TextChoices):
    RECEIPT = "receipt", _("Goods received")
    ADJUSTMENT = "adjustment", _("Stock count adjustment")
    RESERVE = "reserve", _("Reserved for an order")
    RELEASE = "release", _("Reservation released")
    SHIP = "ship", _("Shipped")
    RETURN = "return", _("Returned to stock")


class StockMovement(models.Model):
    """Append-only: why each stock row changed, by how much."""

    stock = models.ForeignKey(Stock, on_delete=models.PROTECT, related_name="movements")
    kind = models.CharField(_("kind"), max_length=12, choices=MovementKind.choices)
    on_hand_delta = models.IntegerField(_("on hand change"), default=0)
    reserved_delta = models.IntegerField(_("reserved change"), default=0)
    order_line = models.ForeignKey(
        "orders.OrderLine", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    memo = models.CharField(_("memo"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("at"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("stock movement")
        verbose_name_plural = _("stock movements")
        ordering = ["-pk"]

    def __str__(self) -> str:
        return f"{self.kind} {self.on_hand_delta}/{self.reserved_delta}"


class Allocation(models.Model):
    """The units of one order line held in (or shipped from) one warehouse."""

    order_line = models.ForeignKey(
        "orders.OrderLine", on_delete=models.CASCADE, related_name="allocations"
    )
    stock = models.ForeignKey(Stock, on_delete=models.PROTECT, related_name="allocations")
    quantity = models.PositiveIntegerField(_("reserved"))
    shipped = models.PositiveIntegerField(_("shipped"), default=0)
    released = models.PositiveIntegerField(_("released"), default=0)

    class Meta:
        verbose_name = _("allocation")
        verbose_name_plural = _("allocations")
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(quantity__gte=F("shipped") + F("released")),
                name="allocation_within_reserved",
            )
        ]

    def __str__(self) -> str:
        return f"{self.order_line_id}@{self.stock_id}: {self.quantity}"
