from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext

from prm.tenancy.admin_base import StatusHistoryInline, VendorModelAdmin

from .audience import audience_users_of
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


class InAudienceProtectedAdmin(VendorModelAdmin):
    """Tiers and regions chosen in an audience are kept (see partners.audience)."""

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if obj is not None and audience_users_of(obj):
            return False
        return super().has_delete_permission(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        kept = [obj for obj in queryset if audience_users_of(obj)]
        if kept:
            messages.error(
                request,
                gettext("Still chosen in an audience, not deleted: %(items)s")
                % {"items": ", ".join(str(o) for o in kept)},
            )
        super().delete_queryset(request, queryset.exclude(pk__in=[o.pk for o in kept]))


@admin.register(Tier)
class TierAdmin(InAudienceProtectedAdmin):
    list_display = ["code", "name", "name_en", "rank"]
    list_filter = ["rank"]
    search_fields = ["code", "name", "name_en"]


@admin.register(Region)
class RegionAdmin(InAudienceProtectedAdmin):
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
