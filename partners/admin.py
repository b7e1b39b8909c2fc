from django.contrib import admin

from prm.tenancy.admin_base import StatusHistoryInline, VendorModelAdmin

from .models import Partner, PartnerStatusChange, Tier


class StatusChangeInline(StatusHistoryInline):
    model = PartnerStatusChange


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
    inlines = [StatusChangeInline]


@admin.register(Tier)
class TierAdmin(VendorModelAdmin):
    list_display = ["code", "name", "name_en", "rank"]
    list_filter = ["rank"]
    search_fields = ["code", "name", "name_en"]
