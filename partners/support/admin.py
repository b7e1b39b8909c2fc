"""Routing rules and SLA policies are the vendor admin's to keep here; tickets, their timeline
and files are for looking up (written only through the services)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from prm.tenancy.admin_base import (
    LookupOnlyAdmin,
    ReadOnlyInline,
    StatusHistoryInline,
    VendorModelAdmin,
)

from .models import (
    RoutingRule,
    SlaPolicy,
    Ticket,
    TicketAttachment,
    TicketMessage,
    TicketStatusChange,
)


@admin.register(RoutingRule)
class RoutingRuleAdmin(VendorModelAdmin):
    list_display = ["position", "name", "category", "owner", "is_active"]
    list_display_links = ["name"]
    list_filter = ["is_active", "category", "owner"]
    search_fields = ["name", "owner__full_name", "owner__email"]
    list_select_related = ["owner"]
    filter_horizontal = ["regions"]


@admin.register(SlaPolicy)
class SlaPolicyAdmin(VendorModelAdmin):
    list_display = [
        "__str__",
        "first_response_hours",
        "resolution_hours",
        "escalate_to",
        "auto_close_days",
        "is_active",
    ]
    list_filter = ["is_active", "category", "priority"]
    search_fields = ["escalate_to__full_name", "escalate_to__email"]
    list_select_related = ["escalate_to"]


class MessageInline(ReadOnlyInline):
    model = TicketMessage
    fields = readonly_fields = ("created_at", "author", "from_partner", "internal", "body")


class AttachmentInline(ReadOnlyInline):
    model = TicketAttachment
    fields = readonly_fields = ("original_name", "content_type", "size", "message", "uploaded_at")


class TicketHistoryInline(StatusHistoryInline):
    model = TicketStatusChange


class BreachedFilter(admin.SimpleListFilter):
    title = _("SLA breached")
    parameter_name = "breached"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [("yes", _("Yes")), ("no", _("No"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        breached = Q(first_response_breached=True) | Q(resolution_breached=True)
        if self.value() == "yes":
            return queryset.filter(breached)
        if self.value() == "no":
            return queryset.exclude(breached)
        return queryset


@admin.register(Ticket)
class TicketAdmin(LookupOnlyAdmin):
    list_display = [
        "number",
        "partner",
        "subject",
        "category",
        "priority",
        "status",
        "owner",
        "submitted_at",
        "escalation_level",
    ]
    list_filter = ["status", "category", "priority", "owner", BreachedFilter]
    search_fields = ["number", "subject", "partner__name", "partner__name_en"]
    list_select_related = ["partner", "owner"]
    date_hierarchy = "submitted_at"
    inlines = [MessageInline, AttachmentInline, TicketHistoryInline]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return [f.name for f in Ticket._meta.fields]


@admin.register(TicketAttachment)
class TicketAttachmentAdmin(LookupOnlyAdmin):
    list_display = ["original_name", "ticket", "content_type", "size", "uploaded_by", "uploaded_at"]
    list_filter = ["content_type"]
    search_fields = ["original_name", "ticket__number"]
    list_select_related = ["ticket", "uploaded_by"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return [f.name for f in TicketAttachment._meta.fields if f.name != "file"]

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        # The file is served by the ticket pages, which check who may see it, not by a media URL.
        return self.get_readonly_fields(request, obj)
