"""Purchase targets (任务额) per partner and quarter, set by the vendor in the admin; every
change is kept in the audit history (registered in ReportsConfig.ready)."""

from __future__ import annotations

from django.contrib import admin

from prm.tenancy.admin_base import VendorModelAdmin

from .models import SalesTarget


@admin.register(SalesTarget)
class SalesTargetAdmin(VendorModelAdmin):
    list_display = ["partner", "year", "quarter", "amount", "updated_at"]
    list_filter = ["year", "quarter", "partner__tier"]
    search_fields = ["partner__name", "partner__name_en"]
    list_select_related = ["partner"]
    autocomplete_fields = ["partner"]
    readonly_fields = ["created_at", "updated_at"]
    ordering = ["-year", "-quarter", "partner__name"]
