"""Configuration lives here (criteria, KPIs, recorded values); runs and decisions are read-only.

Proposals are decided on the vendor pages (programs:proposals) so the workflow, tier history and
audit rows are always written; the admin only shows them.
"""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from prm.tenancy.admin_base import ReadOnlyInline, StatusHistoryInline, VendorModelAdmin

from .models import (
    CustomKpi,
    PartnerKpiValue,
    ScorecardCriterion,
    TierChange,
    TierEvaluationRun,
    TierProposal,
    TierProposalStatusChange,
)


class ReadOnlyAdmin(VendorModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(CustomKpi)
class CustomKpiAdmin(VendorModelAdmin):
    list_display = ["code", "name", "name_en", "unit"]
    search_fields = ["code", "name", "name_en"]
    list_filter = ["unit"]


@admin.register(ScorecardCriterion)
class ScorecardCriterionAdmin(VendorModelAdmin):
    list_display = ["__str__", "metric", "kpi", "target", "weight", "window_days", "is_active"]
    list_filter = ["metric", "is_active", "kpi"]
    search_fields = ["kpi__name", "kpi__name_en", "kpi__code"]
    list_editable = ["is_active"]
    list_select_related = ["kpi"]
    fields = ["metric", "kpi", "target", "weight", "window_days", "position", "is_active"]


@admin.register(PartnerKpiValue)
class PartnerKpiValueAdmin(VendorModelAdmin):
    list_display = ["partner", "kpi", "value", "recorded_on"]
    list_filter = ["kpi", "recorded_on"]
    search_fields = ["partner__name", "partner__name_en"]
    list_select_related = ["partner", "kpi"]
    autocomplete_fields = ["partner"]
    date_hierarchy = "recorded_on"


class ProposalInline(ReadOnlyInline):
    model = TierProposal
    fields = readonly_fields = ("partner", "from_tier", "to_tier", "score", "status")
    show_change_link = True


@admin.register(TierEvaluationRun)
class TierEvaluationRunAdmin(ReadOnlyAdmin):
    list_display = [
        "as_of",
        "started_at",
        "finished_at",
        "partners_evaluated",
        "proposals_created",
        "auto_applied",
        "actor",
    ]
    list_filter = ["as_of", "auto_applied"]
    search_fields = ["actor__email"]
    date_hierarchy = "as_of"
    inlines = [ProposalInline]


class ProposalHistoryInline(StatusHistoryInline):
    model = TierProposalStatusChange


@admin.register(TierProposal)
class TierProposalAdmin(ReadOnlyAdmin):
    list_display = [
        "partner",
        "from_tier",
        "to_tier",
        "score",
        "status",
        "decided_by",
        "decided_at",
        "created_at",
    ]
    list_filter = ["status", "to_tier", "from_tier", "run__as_of"]
    search_fields = ["partner__name", "partner__name_en", "reason"]
    list_select_related = ["partner", "from_tier", "to_tier", "decided_by"]
    inlines = [ProposalHistoryInline]


@admin.register(TierChange)
class TierChangeAdmin(ReadOnlyAdmin):
    list_display = ["partner", "from_tier", "to_tier", "actor", "created_at"]
    list_filter = ["to_tier", "from_tier", "created_at"]
    search_fields = ["partner__name", "partner__name_en", "reason"]
    list_select_related = ["partner", "from_tier", "to_tier", "actor"]
    date_hierarchy = "created_at"
