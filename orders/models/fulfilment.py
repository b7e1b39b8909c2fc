"""Shipments (发货) and returns (退货, RMA)."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from prm.core.models import AuditReasonMixin, StatusChange
from prm.core.money import MoneyField


class Shipment(AuditReasonMixin, models.Model):
    number = models.CharField(_("shipment no."), max_length=32, unique=True, editable=False)
    order = models.ForeignKey(
        "orders.Order", verbose_name=_("order"), on_delete=models.PROTECT, related_name="shipments"
    )
    warehouse = models.ForeignKey(
        "orders.Warehouse", verbose_name=_("warehouse"), on_delete=models.PROTECT, related_name="+"
    )
    carrier = models.CharField(_("carrier"), max_length=60)
    tracking_number = models.CharField(_("tracking no."), max_length=64, db_index=True)
    shipped_at = models.DateTimeField(_("shipped at"), auto_now_add=True)
    shipped_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("shipped by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)

    class Meta:
        verbose_name = _("shipment")
        verbose_name_plural = _("shipments")
        ordering = ["-shipped_at", "-pk"]

    def __str__(self) -> str:
        return self.number


class ShipmentLine(models.Model):
    shipment = models.ForeignKey(Shipment, on_delete=models.CASCADE, related_name="lines")
    order_line = models.ForeignKey("orders.OrderLine", on_delete=models.PROTECT, related_name="+")
    quantity = models.PositiveIntegerField(_("quantity"), validators=[MinValueValidator(1)])

    class Meta:
        verbose_name = _("shipment line")
        verbose_name_plural = _("shipment lines")
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.order_line_id} x {self.quantity}"


class ReturnStatus(models.TextChoices):
    REQUESTED = "requested", _("Requested")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    RECEIVED = "received", _("Received and credited")


RETURN_TRANSITIONS: dict[str, set[str]] = {
    ReturnStatus.REQUESTED: {ReturnStatus.APPROVED, ReturnStatus.REJECTED},
    ReturnStatus.APPROVED: {ReturnStatus.RECEIVED},
    ReturnStatus.REJECTED: set(),
    ReturnStatus.RECEIVED: set(),
}


class ReturnRequest(AuditReasonMixin, models.Model):
    number = models.CharField(_("RMA no."), max_length=32, unique=True, editable=False)
    order = models.ForeignKey(
        "orders.Order", verbose_name=_("order"), on_delete=models.PROTECT, related_name="returns"
    )
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=ReturnStatus.choices,
        default=ReturnStatus.REQUESTED,
        editable=False,
        db_index=True,
    )
    reason = models.TextField(_("reason"))
    refund_total = MoneyField(_("credit to wallet"), default=0, editable=False)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("requested at"), auto_now_add=True)

    class Meta:
        verbose_name = _("return")
        verbose_name_plural = _("returns")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.number


class ReturnLine(models.Model):
    request = models.ForeignKey(ReturnRequest, on_delete=models.CASCADE, related_name="lines")
    order_line = models.ForeignKey("orders.OrderLine", on_delete=models.PROTECT, related_name="+")
    quantity = models.PositiveIntegerField(_("quantity"), validators=[MinValueValidator(1)])
    refund = MoneyField(_("credit"), default=0)

    class Meta:
        verbose_name = _("return line")
        verbose_name_plural = _("return lines")
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.order_line_id} x {self.quantity}"


class ReturnStatusChange(StatusChange):
    status_labels = dict(ReturnStatus.choices)

    request = models.ForeignKey(
        ReturnRequest, on_delete=models.CASCADE, related_name="status_changes"
    )

    class Meta(StatusChange.Meta):
        verbose_name = _("return status change")
        verbose_name_plural = _("return status changes")
