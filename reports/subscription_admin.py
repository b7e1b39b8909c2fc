"""Report subscriptions in Django admin: for looking up who receives what (search by email),
with the audit history. People add and change their own on the "My report subscriptions"
pages, where the filters are checked by building the report as them; here a vendor admin may
only pause one (is_active) or delete it."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from prm.tenancy.admin_base import VendorModelAdmin

from .models import ReportSubscription


@admin.register(ReportSubscription)
class ReportSubscriptionAdmin(VendorModelAdmin):
    list_display = [
        "user",
        "kind",
        "frequency",
        "weekday",
        "day_of_month",
        "is_active",
        "last_sent_on",
    ]
    list_filter = ["kind", "frequency", "is_active"]
    search_fields = ["user__email", "user__full_name"]
    list_select_related = ["user"]
    ordering = ["user__email", "kind", "pk"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [f.name for f in ReportSubscription._meta.fields if f.name != "is_active"]
