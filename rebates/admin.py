"""Rebate programs are configured here (draft only; active ones are read-only and move by the
actions); accruals and settlements are for looking up, written only by the engine and finance."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.forms import BaseInlineFormSet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from prm.tenancy.admin_base import (
    LookupOnlyAdmin,
    ReadOnlyInline,
    StatusHistoryInline,
    VendorModelAdmin,
)

from .models import (
    PriceProtection,
    PriceProtectionCredit,
    ProgramStatus,
    RebateAccrual,
    RebateProgram,
    RebateProgramStatusChange,
    RebateSettlement,
    RebateTier,
)
from .price_protection import price_protection_compute, price_protection_settle
from .programs import program_activate, program_close
from .rules import band_errors

BAND_FIELDS = ("threshold_from", "threshold_to", "rate", "fixed_amount")


class BandFormSet(BaseInlineFormSet):
    """Puts each band problem (overlap, no rate, …) at the field of the band that has it."""

    def clean(self) -> None:
        super().clean()
        forms = [
            f
            for f in self.forms
            if f.is_valid() and f.cleaned_data and not f.cleaned_data.get("DELETE")
        ]
        bands = [SimpleNamespace(**{k: f.cleaned_data.get(k) for k in BAND_FIELDS}) for f in forms]
        for error in band_errors(bands):
            forms[error.index].add_error(error.field, error.message)


class BandInline(admin.TabularInline):
    model = RebateTier
    formset = BandFormSet
    extra = 1
    fields = BAND_FIELDS

    def _draft(self, obj: Any) -> bool:
        return obj is None or obj.status == ProgramStatus.DRAFT

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._draft(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._draft(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._draft(obj) and super().has_delete_permission(request, obj)


class ProgramHistoryInline(StatusHistoryInline):
    model = RebateProgramStatusChange


@admin.register(RebateProgram)
class RebateProgramAdmin(VendorModelAdmin):
    list_display = ["code", "name", "status", "period_type", "basis", "tier_mode", "starts_on"]
    list_filter = ["status", "period_type", "basis", "tier_mode"]
    search_fields = ["code", "name", "name_en"]
    filter_horizontal = [
        "tiers",
        "regions",
        "partners",
        "product_lines",
        "categories",
        "products",
        "excluded_products",
    ]
    inlines = [BandInline, ProgramHistoryInline]
    actions = ["activate", "close"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is not None and obj.status != ProgramStatus.DRAFT:
            # An active program's rules are what partners were promised: change by closing it
            # and starting a new one.
            return [f.name for f in RebateProgram._meta.fields] + list(self.filter_horizontal)
        return ["status"]

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)

    def _each(self, request: HttpRequest, queryset: QuerySet[Any], action: Any) -> None:
        for program in queryset:
            try:
                action(program, actor=request.user)
            except ValidationError as exc:
                self.message_user(request, f"{program}: {' '.join(exc.messages)}", messages.ERROR)
            else:
                self.message_user(request, str(program), messages.SUCCESS)

    @admin.action(description=_("Activate the selected programs"))
    def activate(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        self._each(request, queryset, program_activate)

    @admin.action(description=_("Close the selected programs"))
    def close(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        self._each(request, queryset, program_close)


class SettlementInline(ReadOnlyInline):
    model = RebateSettlement
    fields = readonly_fields = ("kind", "amount", "settled_by", "settled_at", "note")


@admin.register(RebateAccrual)
class RebateAccrualAdmin(LookupOnlyAdmin):
    list_display = ["program", "partner", "period_start", "period_end", "basis", "amount"]
    list_filter = ["program", "period_start"]
    search_fields = ["partner__name", "program__code", "program__name"]
    list_select_related = ["program", "partner"]
    inlines = [SettlementInline]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return [f.name for f in RebateAccrual._meta.fields]


@admin.register(RebateSettlement)
class RebateSettlementAdmin(LookupOnlyAdmin):
    list_display = ["accrual", "kind", "amount", "settled_by", "settled_at"]
    list_filter = ["kind"]
    search_fields = ["accrual__partner__name", "accrual__program__code", "note"]
    list_select_related = ["accrual__program", "accrual__partner", "settled_by"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return [f.name for f in RebateSettlement._meta.fields]


class CreditInline(ReadOnlyInline):
    model = PriceProtectionCredit
    fields = readonly_fields = ("partner", "stock_month", "quantity", "amount", "ledger_entry")


@admin.register(PriceProtection)
class PriceProtectionAdmin(VendorModelAdmin):
    list_display = ["product", "old_price", "new_price", "effective_on", "status"]
    list_filter = ["status", "effective_on"]
    search_fields = ["product__sku", "product__name", "note"]
    list_select_related = ["product"]
    inlines = [CreditInline]
    actions = ["compute", "settle"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is not None and obj.status != "draft":
            return [f.name for f in PriceProtection._meta.fields]
        return ["status"]

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)

    def _each(self, request: HttpRequest, queryset: QuerySet[Any], action: Any) -> None:
        for protection in queryset:
            try:
                action(protection, actor=request.user)
            except (ValidationError, PermissionDenied) as exc:
                text = " ".join(getattr(exc, "messages", [])) or str(_("Not allowed."))
                self.message_user(request, f"{protection}: {text}", messages.ERROR)
            else:
                self.message_user(request, str(protection), messages.SUCCESS)

    @admin.action(description=_("Compute the partners' credits"))
    def compute(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        self._each(request, queryset, price_protection_compute)

    @admin.action(description=_("Credit the partners' rebate accounts"))
    def settle(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        self._each(request, queryset, price_protection_settle)
