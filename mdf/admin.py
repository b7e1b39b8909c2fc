"""Market funds are configured here; allocations and their ledger are for looking up (written
only through mdf.ledger)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from prm.core.templatetags.humanize_money import money
from prm.tenancy.admin_base import (
    LookupOnlyAdmin,
    ReadOnlyInline,
    StatusHistoryInline,
    VendorModelAdmin,
)

from .allocation import AllocationRun, allocations_sync, fund_activate
from .models import (
    FundStatus,
    MdfActivityType,
    MdfAllocation,
    MdfClaim,
    MdfClaimStatusChange,
    MdfEvidence,
    MdfFund,
    MdfFundStatusChange,
    MdfInvoice,
    MdfLedgerEntry,
    MdfRequest,
    MdfRequestLine,
    MdfRequestStatusChange,
)


class FundHistoryInline(StatusHistoryInline):
    model = MdfFundStatusChange


@admin.register(MdfFund)
class MdfFundAdmin(VendorModelAdmin):
    list_display = ["code", "name", "status", "starts_on", "ends_on", "expires_on", "budget"]
    list_filter = ["status", "allocation_mode", "starts_on"]
    search_fields = ["code", "name", "name_en"]
    filter_horizontal = ["tiers", "regions"]
    inlines = [FundHistoryInline]
    actions = ["activate", "allocate"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is not None and obj.status != FundStatus.DRAFT:
            # Partners plan against an active fund's rules.
            return [f.name for f in MdfFund._meta.fields] + list(self.filter_horizontal)
        return ["status"]

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)

    def _each(self, request: HttpRequest, queryset: QuerySet[Any], action: Any) -> None:
        for fund in queryset.order_by("pk"):
            try:
                run: AllocationRun = action(fund, actor=request.user)
            except (ValidationError, PermissionDenied) as exc:
                text = " ".join(exc.messages) if isinstance(exc, ValidationError) else ""
                self.message_user(
                    request, f"{fund}: {text or gettext('not allowed')}", messages.ERROR
                )
                continue
            summary = gettext("%(count)d partners were given %(total)s.") % {
                "count": len(run.given),
                "total": money(run.total),
            }
            if run.short:
                summary += " " + gettext(
                    "The budget could not cover %(count)d partners' full share."
                ) % {"count": len(run.short)}
            self.message_user(
                request, f"{fund}: {summary}", messages.WARNING if run.short else messages.SUCCESS
            )

    @admin.action(description=_("Activate the selected funds and allocate them"))
    def activate(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        self._each(request, queryset, fund_activate)

    @admin.action(description=_("Allocate now (new eligible partners, purchases so far)"))
    def allocate(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        self._each(request, queryset, allocations_sync)


class EntryInline(ReadOnlyInline):
    model = MdfLedgerEntry
    fields = readonly_fields = ("created_at", "kind", "amount", "available_after", "reference")


@admin.register(MdfAllocation)
class MdfAllocationAdmin(LookupOnlyAdmin):
    list_display = ["fund", "partner", "allocated", "reserved", "claimed", "paid", "expired"]
    list_filter = ["fund"]
    search_fields = ["partner__name", "fund__code", "fund__name"]
    list_select_related = ["fund", "partner"]
    inlines = [EntryInline]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return [f.name for f in MdfAllocation._meta.fields]


@admin.register(MdfActivityType)
class MdfActivityTypeAdmin(VendorModelAdmin):
    list_display = ["code", "name", "name_en", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["code", "name", "name_en"]


class RequestLineInline(ReadOnlyInline):
    model = MdfRequestLine
    fields = readonly_fields = ("description", "amount")


class EvidenceInline(ReadOnlyInline):
    model = MdfEvidence
    fields = readonly_fields = ("kind", "original_name", "content_type", "size", "uploaded_at")


class RequestHistoryInline(StatusHistoryInline):
    model = MdfRequestStatusChange


@admin.register(MdfRequest)
class MdfRequestAdmin(LookupOnlyAdmin):
    list_display = ["number", "partner", "title", "status", "requested_amount", "approved_amount"]
    list_filter = ["status", "fund", "activity_type"]
    search_fields = ["number", "title", "partner__name"]
    list_select_related = ["partner"]
    inlines = [RequestLineInline, EvidenceInline, RequestHistoryInline]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return [f.name for f in MdfRequest._meta.fields]


class InvoiceInline(ReadOnlyInline):
    model = MdfInvoice
    fields = readonly_fields = ("number", "issued_on", "amount", "issuer", "counts")


class ClaimHistoryInline(StatusHistoryInline):
    model = MdfClaimStatusChange


@admin.register(MdfClaim)
class MdfClaimAdmin(LookupOnlyAdmin):
    list_display = ["number", "request", "status", "claimed_amount", "approved_amount"]
    list_filter = ["status"]
    search_fields = ["number", "request__number", "request__partner__name", "invoices__number"]
    list_select_related = ["request"]
    inlines = [InvoiceInline, ClaimHistoryInline]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return [f.name for f in MdfClaim._meta.fields] + ["deals", "orders"]
