"""ERP connections, the links between PRM rows and ERP records, and the log of each sync run."""

from __future__ import annotations

from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from prm.core.money import MoneyField


class ErpKind(models.TextChoices):
    TRYTON = "tryton", _("Tryton")
    FILES = "files", _("File exchange (CSV / XLSX folder)")


class ErpConnection(models.Model):
    """One ERP the vendor synchronises with. A vendor normally has one."""

    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=16, choices=ErpKind.choices)
    url = models.CharField(
        _("address"),
        max_length=300,
        blank=True,
        help_text=_("Tryton: http://host:8000/<database>/rpc/. File exchange: the folder."),
    )
    login = models.CharField(_("login"), max_length=100, blank=True)
    password = models.CharField(_("password"), max_length=200, blank=True)
    warehouse = models.ForeignKey(
        "orders.Warehouse",
        verbose_name=_("PRM warehouse for ERP stock"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    product_line = models.ForeignKey(
        "partners.ProductLine",
        verbose_name=_("product line of new ERP products"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("A product first seen in the ERP joins this line; move it afterwards."),
    )
    orders_from = models.DateTimeField(
        _("push orders placed from"),
        default=timezone.now,
        help_text=_("Orders placed earlier are not sent (they are already in the ERP)."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("ERP connection")
        verbose_name_plural = _("ERP connections")
        ordering = ["name", "pk"]

    def __str__(self) -> str:
        return self.name


class ExternalRef(models.Model):
    """A PRM row and the ERP record it is: each side once per connection."""

    connection = models.ForeignKey(ErpConnection, on_delete=models.CASCADE, related_name="refs")
    object_type = models.CharField(_("object type"), max_length=32)  # "order", "product", …
    local_id = models.BigIntegerField(_("PRM id"))
    external_id = models.CharField(_("ERP id"), max_length=100)
    synced_at = models.DateTimeField(_("synced at"), auto_now=True)

    class Meta:
        verbose_name = _("ERP link")
        verbose_name_plural = _("ERP links")
        constraints = [
            models.UniqueConstraint(
                fields=["connection", "object_type", "local_id"], name="erp_ref_local_once"
            ),
            models.UniqueConstraint(
                fields=["connection", "object_type", "external_id"], name="erp_ref_external_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.object_type} {self.local_id} ↔ {self.external_id}"


class SyncDirection(models.TextChoices):
    PUSH_ORDERS = "push_orders", _("Orders to the ERP")
    PULL_PRODUCTS = "pull_products", _("Products and prices from the ERP")
    PULL_STOCK = "pull_stock", _("Stock from the ERP")
    PULL_PAYMENTS = "pull_payments", _("Payments from the ERP")
    PULL_INVOICES = "pull_invoices", _("Invoices from the ERP")


class RunStatus(models.TextChoices):
    RUNNING = "running", _("Running")
    SUCCEEDED = "succeeded", _("Succeeded")
    PARTIAL = "partial", _("Succeeded with rejected records")
    FAILED = "failed", _("Failed")


class SyncRun(models.Model):
    """One run of one sync job: what it did, what it refused and why."""

    connection = models.ForeignKey(ErpConnection, on_delete=models.CASCADE, related_name="runs")
    direction = models.CharField(_("what"), max_length=20, choices=SyncDirection.choices)
    status = models.CharField(
        _("status"), max_length=12, choices=RunStatus.choices, default=RunStatus.RUNNING
    )
    started_at = models.DateTimeField(_("started at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    created = models.PositiveIntegerField(_("created"), default=0)
    updated = models.PositiveIntegerField(_("updated"), default=0)
    unchanged = models.PositiveIntegerField(_("unchanged"), default=0)
    rejected = models.PositiveIntegerField(_("rejected"), default=0)
    error = models.TextField(_("error"), blank=True)

    class Meta:
        verbose_name = _("sync run")
        verbose_name_plural = _("sync runs")
        ordering = ["-started_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.get_direction_display()} {self.started_at:%Y-%m-%d %H:%M}"


class SyncRejection(models.Model):
    run = models.ForeignKey(SyncRun, on_delete=models.CASCADE, related_name="rejections")
    record = models.CharField(_("record"), max_length=100)
    reason = models.TextField(_("reason"))
    data = models.JSONField(_("data"), default=dict, blank=True)

    class Meta:
        verbose_name = _("rejected record")
        verbose_name_plural = _("rejected records")
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.record}: {self.reason}"


class ErpInvoice(models.Model):
    """A customer invoice issued in the ERP (the PRM issues none): the partner sees it beside its
    statements, and the vendor sees which orders it bills and what is still due."""

    connection = models.ForeignKey(ErpConnection, on_delete=models.CASCADE, related_name="+")
    external_id = models.CharField(_("ERP id"), max_length=100)
    number = models.CharField(_("invoice no."), max_length=64)
    partner = models.ForeignKey(
        "partners.Partner", verbose_name=_("partner"), on_delete=models.CASCADE, related_name="+"
    )
    invoice_date = models.DateField(_("invoice date"), null=True, blank=True)
    total = MoneyField(_("total"))
    amount_due = MoneyField(_("amount due"))
    state = models.CharField(_("state in the ERP"), max_length=32)
    order_numbers = ArrayField(
        models.CharField(max_length=32), verbose_name=_("orders billed"), default=list
    )
    synced_at = models.DateTimeField(_("synced at"), auto_now=True)

    class Meta:
        verbose_name = _("ERP invoice")
        verbose_name_plural = _("ERP invoices")
        ordering = ["-invoice_date", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["connection", "external_id"], name="erp_invoice_once")
        ]

    def __str__(self) -> str:
        return self.number
