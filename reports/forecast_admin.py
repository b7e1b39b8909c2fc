"""Forecasts in Django admin: for looking up, with their lines, status history and audit trail.
Figures and statuses change only through `reports.forecast_services` (the forecast pages)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from prm.tenancy.admin_base import LookupOnlyAdmin, ReadOnlyInline, StatusHistoryInline

from .models import Forecast, ForecastLine, ForecastStatusChange


class CycleFilter(admin.SimpleListFilter):
    """The cycles there are forecasts for, newest first (a date filter would offer "today")."""

    title = _("cycle")
    parameter_name = "cycle"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        cycles = Forecast.objects.order_by("-cycle").values_list("cycle", flat=True).distinct()
        return [(c.isoformat(), f"{c:%Y-%m}") for c in cycles]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        return queryset.filter(cycle=self.value()) if self.value() else queryset


class LineInline(ReadOnlyInline):
    model = ForecastLine
    fields = readonly_fields = (
        "product_line",
        "month",
        "amount",
        "adjusted_amount",
        "adjusted_by",
        "note",
    )


class HistoryInline(StatusHistoryInline):
    model = ForecastStatusChange


@admin.register(Forecast)
class ForecastAdmin(LookupOnlyAdmin):
    list_display = ["partner", "cycle", "status", "submitted_at", "committed_at"]
    list_filter = ["status", CycleFilter, "partner__tier"]
    search_fields = ["partner__name", "partner__name_en"]
    list_select_related = ["partner"]
    inlines = [LineInline, HistoryInline]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return [f.name for f in Forecast._meta.fields]
