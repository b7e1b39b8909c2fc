from django.contrib import admin
from django.http import HttpRequest

from prm.tenancy.admin_base import StatusHistoryInline, VendorModelAdmin

from .models import (
    Partner,
    PartnerContact,
    PartnerStatusChange,
    ProductLine,
    ProgramSettings,
    Qualification,
    Region,
    Tier,
)


class StatusChangeInline(StatusHistoryInline):
    model = PartnerStatusChange


class ContactInline(admin.TabularInline):
    model = PartnerContact
    extra = 0


@admin.register(Partner)
class PartnerAdmin(VendorModelAdmin):
    list_display = [
        "name",
        "name_en",
        "partner_type",
        "status",
        "tier",
        "region",
        "channel_manager",
    ]
    list_filter = ["status", "partner_type", "tier", "region", "channel_manager"]
    search_fields = ["name", "name_en", "credit_code", "contact_name"]
    list_select_related = ["tier", "channel_manager"]
    readonly_fields = ["status", "created_at"]
    inlines = [ContactInline, StatusChangeInline]


@admin.register(Tier)
class TierAdmin(VendorModelAdmin):
    list_display = ["code", "name", "name_en", "rank"]
    list_filter = ["rank"]
    search_fields = ["code", "name", "name_en"]


@admin.register(Region)
class RegionAdmin(VendorModelAdmin):
    list_display = ["code", "name", "name_en", "level", "parent"]
    list_filter = ["level", "parent"]
    search_fields = ["code", "name", "name_en"]


@admin.register(ProductLine)
class ProductLineAdmin(VendorModelAdmin):
    list_display = ["code", "name", "name_en"]
    search_fields = ["code", "name", "name_en"]


@admin.register(Qualification)
class QualificationAdmin(VendorModelAdmin):
    """Documents are uploaded in the portals and served by their views, never by a /media/ link."""

    list_display = ["partner", "kind", "number", "issued_on", "expires_on", "reminded_on"]
    list_filter = ["kind", "expires_on"]
    search_fields = ["partner__name", "number"]
    list_select_related = ["partner"]
    exclude = ["document"]
    readonly_fields = ["partner", "reminded_on", "uploaded_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(ProgramSettings)
class ProgramSettingsAdmin(VendorModelAdmin):
    list_display = [
        "__str__",
        "tier_auto_apply",
        "termination_grace_days",
        "expiry_reminder_days",
    ]
    filter_horizontal = ["application_approvers"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return not ProgramSettings.objects.exists()

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
