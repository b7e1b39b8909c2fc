from django.contrib import admin
from django.http import HttpRequest

from prm.tenancy.admin_base import VendorModelAdmin

from .models import Order, OrderLine, OrderStatusChange, Product


@admin.register(Product)
class ProductAdmin(VendorModelAdmin):
    list_display = ["sku", "name", "name_en", "product_line", "list_price", "is_active"]
    list_filter = ["is_active", "product_line"]
    search_fields = ["sku", "name", "name_en"]


class OrderLineInline(admin.TabularInline):
    model = OrderLine
    extra = 0
    fields = readonly_fields = ("product", "quantity", "unit_price", "line_total")
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


class OrderStatusChangeInline(admin.TabularInline):
    model = OrderStatusChange
    extra = 0
    fields = readonly_fields = ("created_at", "from_status", "to_status", "reason", "actor")
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


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
