from django.contrib import admin
from django.http import HttpRequest

from prm.tenancy.admin_base import ReadOnlyInline, StatusHistoryInline, VendorModelAdmin

from .models import Order, OrderLine, OrderStatusChange, Product


@admin.register(Product)
class ProductAdmin(VendorModelAdmin):
    list_display = ["sku", "name", "name_en", "product_line", "category", "list_price", "is_active"]
    list_filter = ["is_active", "product_line", "category"]
    search_fields = ["sku", "name", "name_en"]


class OrderLineInline(ReadOnlyInline):
    model = OrderLine
    fields = readonly_fields = ("product", "quantity", "unit_price", "line_total")


class OrderStatusChangeInline(StatusHistoryInline):
    model = OrderStatusChange


@admin.register(Order)
class OrderAdmin(VendorModelAdmin):
    list_display = ["number", "partner", "status", "total", "currency", "created_at"]
    list_filter = ["status", "currency", "created_at"]
    search_fields = ["number", "partner__name", "partner__name_en"]
    list_select_related = ["partner"]
    readonly_fields = [
        "number",
        "partner",
        "currency",
        "status",
        "total",
        "placed_by",
        "created_at",
    ]
    inlines = [OrderLineInline, OrderStatusChangeInline]

    # Orders are placed through the ordering service (numbers, prices, stock); admin repairs notes.
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
