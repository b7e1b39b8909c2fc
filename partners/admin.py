from django.contrib import admin
from django.http import HttpRequest

from prm.tenancy.admin_base import VendorModelAdmin

from .models import Partner, PartnerStatusChange, Tier


class StatusChangeInline(admin.TabularInline):
    model = PartnerStatusChange
    extra = 0
    can_delete = False
    fields = readonly_fields = ("created_at", "from_status", "to_status", "reason", "actor")

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


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
