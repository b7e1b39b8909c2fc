"""Monthly rollups the cockpit reads instead of millions of order lines.

A slice is one partner's month. Every measure of a slice is recomputed from the source rows
(never incremented), so refreshing a slice twice, or after a missed event, gives the same
numbers; `reports.rollups` keeps them current and `manage.py rollups_rebuild` rebuilds them.
Months are calendar months in the vendor's time zone; amounts are in the vendor's currency.
Region, province and tier are read from the partner when the cockpit runs, so a partner that
moves keeps its history under its current region.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from prm.core.money import MoneyField


class SalesLineMonth(models.Model):
    """One partner's month for one product line (null: products outside every line)."""

    month = models.DateField(_("month"), help_text=_("The first day of the month."))
    partner = models.ForeignKey(
        "partners.Partner", verbose_name=_("partner"), on_delete=models.CASCADE, related_name="+"
    )
    product_line = models.ForeignKey(
        "partners.ProductLine",
        verbose_name=_("product line"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    # Counted orders placed in the month: line totals less each line's share of order discounts.
    ordered_amount = MoneyField(_("ordered"), default=0)
    ordered_quantity = models.IntegerField(_("units ordered"), default=0)
    # Shipments made in the month, valued at the net unit price of the order line.
    shipped_amount = MoneyField(_("shipped"), default=0)
    shipped_quantity = models.IntegerField(_("units shipped"), default=0)

    class Meta:
        verbose_name = _("monthly sales by product line")
        verbose_name_plural = _("monthly sales by product line")
        constraints = [
            models.UniqueConstraint(
                fields=["month", "partner", "product_line"],
                nulls_distinct=False,
                name="sales_line_month_slice",
            )
        ]
        indexes = [models.Index(fields=["month", "product_line"], name="sales_line_month_line")]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.partner_id}/{self.product_line_id}"


class PartnerMonth(models.Model):
    """One partner's month: what does not split by product line."""

    month = models.DateField(_("month"), help_text=_("The first day of the month."))
    partner = models.ForeignKey(
        "partners.Partner", verbose_name=_("partner"), on_delete=models.CASCADE, related_name="+"
    )
    order_count = models.IntegerField(_("orders"), default=0)
    ordered_amount = MoneyField(_("ordered"), default=0)
    # The sum of the partner's SalesLineMonth.shipped_amount: the cockpit without a product-line
    # filter reads this table alone.
    shipped_amount = MoneyField(_("shipped"), default=0)
    # Orders whose first shipment left in the month, and their hours from placing to that shipment.
    first_shipped_count = models.IntegerField(_("orders first shipped"), default=0)
    processing_hours = models.DecimalField(
        _("hours from order to first shipment"), max_digits=14, decimal_places=2, default=0
    )
    collected_amount = MoneyField(_("collected"), default=0)

    class Meta:
        verbose_name = _("monthly partner totals")
        verbose_name_plural = _("monthly partner totals")
        constraints = [
            models.UniqueConstraint(fields=["month", "partner"], name="partner_month_slice")
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.partner_id}"


class RollupPending(models.Model):
    """A slice some change touched; the refresh job recomputes it and deletes the row."""

    month = models.DateField()
    partner = models.ForeignKey("partners.Partner", on_delete=models.CASCADE, related_name="+")
    queued_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["month", "partner"], name="rollup_pending_slice")
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.partner_id}"
