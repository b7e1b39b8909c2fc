from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from prm.tenancy.admin_base import LookupOnlyAdmin, ReadOnlyInline, VendorModelAdmin

from .models import ErpConnection, ErpInvoice, ExternalRef, SyncRejection, SyncRun


@admin.register(ErpConnection)
class ErpConnectionAdmin(VendorModelAdmin):
    list_display = ["name", "kind", "url", "is_active", "created_at"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name", "url"]


class RejectionInline(ReadOnlyInline):
    model = SyncRejection
    fields = readonly_fields = ("record", "reason", "data")


@admin.register(SyncRun)
class SyncRunAdmin(LookupOnlyAdmin):
    list_display = [
        "connection",
        "direction",
        "status",
        "started_at",
        "created",
        "updated",
        "unchanged",
        "rejected",
    ]
    list_filter = ["status", "direction", "connection"]
    search_fields = ["error", "rejections__record", "rejections__reason"]
    readonly_fields = [
        "connection",
        "direction",
        "status",
        "started_at",
        "finished_at",
        "created",
        "updated",
        "unchanged",
        "rejected",
        "error",
    ]
    inlines = [RejectionInline]

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(ExternalRef)
class ExternalRefAdmin(VendorModelAdmin):
    """Links are kept by the sync; deleting one here makes the next run link or send again."""

    list_display = ["connection", "object_type", "local_id", "external_id", "synced_at"]
    list_filter = ["connection", "object_type"]
    search_fields = ["external_id", "=local_id"]
    readonly_fields = ["connection", "object_type", "local_id", "external_id", "synced_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(ErpInvoice)
class ErpInvoiceAdmin(LookupOnlyAdmin):
    list_display = ["number", "partner", "invoice_date", "total", "amount_due", "state"]
    list_filter = ["state", "connection", "invoice_date"]
    search_fields = ["number", "external_id", "partner__name", "order_numbers"]
    readonly_fields = [
        "connection",
        "external_id",
        "number",
        "partner",
        "invoice_date",
        "total",
        "amount_due",
        "state",
        "order_numbers",
        "synced_at",
    ]

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
