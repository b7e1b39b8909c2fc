from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from prm.tenancy.admin_base import StatusHistoryInline, VendorModelAdmin

from .models import Agreement, AgreementStatusChange, AgreementTemplate


@admin.register(AgreementTemplate)
class AgreementTemplateAdmin(VendorModelAdmin):
    list_display = ["code", "name", "name_en", "partner_type", "version", "is_active", "updated_at"]
    list_display_links = ["code", "name"]
    list_filter = ["is_active", "partner_type"]
    search_fields = ["code", "name", "name_en", "title", "body"]
    readonly_fields = ["version", "updated_at"]


class StatusChangeInline(StatusHistoryInline):
    model = AgreementStatusChange


@admin.register(Agreement)
class AgreementAdmin(VendorModelAdmin):
    """Agreements are drafted, issued and signed in the portals; here they are looked up."""

    list_display = ["number", "version", "partner", "template", "status", "term_start", "term_end"]
    list_filter = ["status", "template", "term_end"]
    search_fields = ["number", "partner__name", "partner__name_en", "signer_name"]
    list_select_related = ["partner", "template"]
    date_hierarchy = "term_end"
    # The PDF's name only: files are served by the portals' views, never by a /media/ link.
    exclude = ["pdf"]
    readonly_fields = [f.name for f in Agreement._meta.concrete_fields if f.name != "pdf"] + [
        "pdf_name"
    ]

    @admin.display(description=_("PDF"))
    def pdf_name(self, obj: Agreement) -> str:
        return obj.pdf.name

    inlines = [StatusChangeInline]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
