"""The ordering mall in the admin: configuration (catalog, prices, promotions, warehouses, review
steps) is edited here; money, stock levels and orders only move through the services, so their
admin pages are for looking up and repairing notes, with every balance read-only."""

from django.contrib import admin
from django.http import HttpRequest

from prm.tenancy.admin_base import (
    LookupOnlyAdmin,
    ReadOnlyInline,
    StatusHistoryInline,
    VendorModelAdmin,
)

from .models import (
    Account,
    Category,
    ChannelStockLine,
    ChannelStockReport,
    LedgerEntry,
    Order,
    OrderApproval,
    OrderingSettings,
    OrderLine,
    OrderStatusChange,
    Payment,
    PriceList,
    PriceListItem,
    Product,
    Promotion,
    PromotionTier,
    ReturnLine,
    ReturnRequest,
    ReturnStatusChange,
    ReviewStep,
    SellOut,
    Shipment,
    ShipmentLine,
    Statement,
    Stock,
    TopUpRequest,
    TopUpStatusChange,
    Warehouse,
)

# --- configuration -------------------------------------------------------------------------------


@admin.register(Category)
class CategoryAdmin(VendorModelAdmin):
    list_display = ["code", "name", "name_en", "parent", "position"]
    list_filter = ["parent"]
    search_fields = ["code", "name", "name_en"]


@admin.register(Product)
class ProductAdmin(VendorModelAdmin):
    list_display = [
        "sku",
        "name",
        "product_line",
        "category",
        "list_price",
        "pack_size",
        "min_order_quantity",
        "is_active",
    ]
    list_filter = ["is_active", "product_line", "category"]
    search_fields = ["sku", "name", "name_en"]
    list_select_related = ["product_line", "category"]


class PriceListItemInline(admin.TabularInline):
    model = PriceListItem
    extra = 1
    autocomplete_fields = ["product"]


@admin.register(PriceList)
class PriceListAdmin(VendorModelAdmin):
    list_display = [
        "name",
        "kind",
        "tier",
        "region",
        "partner",
        "valid_from",
        "valid_to",
        "is_active",
    ]
    list_filter = ["kind", "is_active", "tier", "region"]
    search_fields = ["name", "partner__name", "region"]
    list_select_related = ["tier", "partner"]
    autocomplete_fields = ["partner"]
    inlines = [PriceListItemInline]


class PromotionTierInline(admin.TabularInline):
    model = PromotionTier
    extra = 1


@admin.register(Promotion)
class PromotionAdmin(VendorModelAdmin):
    list_display = [
        "code",
        "name",
        "kind",
        "starts_at",
        "ends_at",
        "stackable",
        "priority",
        "used_total",
        "limit_total",
        "is_active",
    ]
    list_filter = ["kind", "is_active", "stackable"]
    search_fields = ["code", "name", "name_en"]
    filter_horizontal = ["products", "eligible_tiers", "eligible_partners"]
    readonly_fields = ["used_total"]
    inlines = [PromotionTierInline]


@admin.register(Warehouse)
class WarehouseAdmin(VendorModelAdmin):
    list_display = ["code", "name", "region", "priority", "is_active"]
    list_filter = ["is_active", "region"]
    search_fields = ["code", "name", "name_en"]


@admin.register(Stock)
class StockAdmin(VendorModelAdmin):
    """Safety stock is set here; quantities change by receipts, counts and orders only."""

    list_display = ["product", "warehouse", "on_hand", "reserved", "safety_stock", "alerted_at"]
    list_filter = ["warehouse"]
    search_fields = ["product__sku", "product__name"]
    list_select_related = ["product", "warehouse"]
    readonly_fields = ["product", "warehouse", "on_hand", "reserved", "alerted_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(ReviewStep)
class ReviewStepAdmin(VendorModelAdmin):
    list_display = ["position", "name", "role", "min_total"]
    list_filter = ["role"]
    search_fields = ["name"]


@admin.register(OrderingSettings)
class OrderingSettingsAdmin(VendorModelAdmin):
    list_display = ["__str__", "rebate_payment_cap", "auto_complete_days"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return not OrderingSettings.objects.exists()

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


# --- orders and fulfilment ----------------------------------------------------------------------


class OrderLineInline(ReadOnlyInline):
    model = OrderLine
    fields = readonly_fields = (
        "product",
        "quantity",
        "unit_price",
        "discount",
        "order_discount",
        "line_total",
        "is_gift",
        "shipped_quantity",
        "returned_quantity",
        "price_rule",
    )


class OrderApprovalInline(ReadOnlyInline):
    model = OrderApproval
    fields = readonly_fields = ("step_position", "step_name", "approved_by", "note", "created_at")


class OrderStatusChangeInline(StatusHistoryInline):
    model = OrderStatusChange


@admin.register(Order)
class OrderAdmin(LookupOnlyAdmin):
    list_display = ["number", "partner", "status", "total", "currency", "created_at"]
    list_filter = ["status", "currency", "created_at"]
    search_fields = ["number", "partner__name", "partner__name_en"]
    list_select_related = ["partner"]
    date_hierarchy = "created_at"
    readonly_fields = [
        "number",
        "partner",
        "currency",
        "status",
        "subtotal",
        "discount_total",
        "total",
        "paid_rebate",
        "paid_prepaid",
        "paid_credit",
        "placed_by",
        "received_at",
        "created_at",
    ]
    inlines = [OrderLineInline, OrderApprovalInline, OrderStatusChangeInline]


class ShipmentLineInline(ReadOnlyInline):
    model = ShipmentLine
    fields = readonly_fields = ("order_line", "quantity")


@admin.register(Shipment)
class ShipmentAdmin(LookupOnlyAdmin):
    list_display = ["number", "order", "warehouse", "carrier", "tracking_number", "shipped_at"]
    list_filter = ["warehouse", "carrier", "shipped_at"]
    search_fields = ["number", "tracking_number", "order__number"]
    list_select_related = ["order", "warehouse"]
    readonly_fields = ["number", "order", "warehouse", "shipped_by", "shipped_at"]
    inlines = [ShipmentLineInline]


class ReturnLineInline(ReadOnlyInline):
    model = ReturnLine
    fields = readonly_fields = ("order_line", "quantity", "refund")


class ReturnStatusChangeInline(StatusHistoryInline):
    model = ReturnStatusChange


@admin.register(ReturnRequest)
class ReturnRequestAdmin(LookupOnlyAdmin):
    list_display = ["number", "order", "status", "refund_total", "created_at"]
    list_filter = ["status", "created_at"]
    search_fields = ["number", "order__number", "order__partner__name"]
    list_select_related = ["order"]
    readonly_fields = ["number", "order", "status", "refund_total", "requested_by", "created_at"]
    inlines = [ReturnLineInline, ReturnStatusChangeInline]


# --- money ---------------------------------------------------------------------------------------


@admin.register(Account)
class AccountAdmin(LookupOnlyAdmin):
    list_display = ["partner", "kind", "balance"]
    list_filter = ["kind"]
    search_fields = ["partner__name", "partner__name_en"]
    list_select_related = ["partner"]
    readonly_fields = ["partner", "kind", "balance"]


@admin.register(LedgerEntry)
class LedgerEntryAdmin(LookupOnlyAdmin):
    list_display = ["created_at", "account", "kind", "amount", "balance_after", "reference"]
    list_filter = ["kind", "account__kind", "created_at"]
    search_fields = ["reference", "memo", "account__partner__name", "order__number"]
    list_select_related = ["account__partner"]
    date_hierarchy = "created_at"
    readonly_fields = [
        "account",
        "kind",
        "amount",
        "balance_after",
        "order",
        "memo",
        "reference",
        "actor",
        "created_at",
    ]


class TopUpStatusChangeInline(StatusHistoryInline):
    model = TopUpStatusChange


@admin.register(TopUpRequest)
class TopUpRequestAdmin(LookupOnlyAdmin):
    list_display = ["number", "partner", "amount", "transferred_on", "status", "created_at"]
    list_filter = ["status", "transferred_on"]
    search_fields = ["number", "bank_reference", "partner__name"]
    list_select_related = ["partner"]
    # The proof's name only: files are served by the portals' views, never by a /media/ link.
    exclude = ["proof"]
    readonly_fields = [
        "number",
        "partner",
        "amount",
        "transferred_on",
        "bank_reference",
        "status",
        "submitted_by",
        "created_at",
    ]
    inlines = [TopUpStatusChangeInline]


@admin.register(Payment)
class PaymentAdmin(LookupOnlyAdmin):
    list_display = ["number", "partner", "amount", "method", "received_on", "source"]
    list_filter = ["method", "source", "received_on"]
    search_fields = ["number", "reference", "external_id", "partner__name"]
    list_select_related = ["partner"]
    readonly_fields = [
        "number",
        "partner",
        "amount",
        "method",
        "received_on",
        "reference",
        "source",
        "external_id",
        "recorded_by",
        "created_at",
    ]


@admin.register(Statement)
class StatementAdmin(LookupOnlyAdmin):
    list_display = ["number", "partner", "period", "opening_balance", "closing_balance", "status"]
    list_filter = ["status", "period"]
    search_fields = ["number", "partner__name"]
    list_select_related = ["partner"]
    readonly_fields = [
        "number",
        "partner",
        "period",
        "opening_balance",
        "orders_total",
        "payments_total",
        "returns_total",
        "rebates_total",
        "other_total",
        "closing_balance",
        "status",
        "partner_comment",
        "responded_by",
        "responded_at",
        "created_at",
    ]


@admin.register(SellOut)
class SellOutAdmin(LookupOnlyAdmin):
    list_display = ["partner", "product", "sold_on", "quantity", "province", "outside_territory"]
    list_filter = ["outside_territory", "province", "sold_on"]
    search_fields = ["partner__name", "product__sku", "end_customer"]
    list_select_related = ["partner", "product"]
    readonly_fields = ["outside_territory", "reported_by", "created_at"]


class ChannelStockLineInline(ReadOnlyInline):
    model = ChannelStockLine
    fields = readonly_fields = ("product", "quantity")


@admin.register(ChannelStockReport)
class ChannelStockReportAdmin(LookupOnlyAdmin):
    list_display = ["partner", "period", "submitted_by", "submitted_at"]
    list_filter = ["period"]
    search_fields = ["partner__name", "partner__name_en"]
    list_select_related = ["partner", "submitted_by"]
    readonly_fields = ["partner", "period", "submitted_by", "submitted_at"]
    inlines = [ChannelStockLineInline]
