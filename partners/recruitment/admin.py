"""Admin views of applications: for looking up and correcting details. Status moves happen in the
vendor portal (with history and emails); files download through the portal's checked view, never
a media URL."""

from django.contrib import admin
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from prm.tenancy.admin_base import VendorModelAdmin

from .models import ApplicationDocument, ApplicationStatusChange, PartnerApplication


class _ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


class DocumentInline(_ReadOnlyInline):
    model = ApplicationDocument
    fields = readonly_fields = ("kind", "download", "content_type", "size", "uploaded_at")

    @admin.display(description=_("file"))
    def download(self, obj: ApplicationDocument) -> str:
        url = reverse("recruitment:document", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, obj.original_name)


class StatusChangeInline(_ReadOnlyInline):
    model = ApplicationStatusChange
    fields = readonly_fields = ("created_at", "from_status", "to_status", "reason", "actor")


@admin.register(PartnerApplication)
class PartnerApplicationAdmin(VendorModelAdmin):
    list_display = [
        "number",
        "legal_name",
        "credit_code",
        "partner_type",
        "province",
        "status",
        "created_at",
    ]
    list_display_links = ["number", "legal_name"]
    list_filter = ["status", "partner_type", "province", "created_at"]
    search_fields = [
        "number",
        "legal_name",
        "name_en",
        "credit_code",
        "contact_name",
        "contact_email",
        "contact_phone",
    ]
    list_select_related = ["province"]
    readonly_fields = [
        "number",
        "status",
        "reject_reason",
        "reviewer",
        "reviewed_at",
        "partner",
        "name_key",
        "submitted_ip",
        "created_at",
    ]
    raw_id_fields = ["province", "city"]
    date_hierarchy = "created_at"
    inlines = [DocumentInline, StatusChangeInline]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # applications come from the public /join/ page
