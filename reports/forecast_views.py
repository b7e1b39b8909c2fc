"""Forecast pages of the vendor portal: the cycles and who has not submitted, one partner's
forecast with adjust / send back / commit, the roll-up and the accuracy report. Every table can
be downloaded as CSV or XLSX (`?export=csv|xlsx&table=<key>`) with the rows the page shows.

Rows come from `reports.forecast_selectors` (a channel manager sees his own partners; an id he
may not see is a 404); decisions are calls to `reports.forecast_services`, which check who may.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.timezone import localtime
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from prm.accounts.access import signed_in_user, vendor_required
from prm.core.audit import audit_events_for
from prm.core.flash import flash_outcome
from prm.tenancy.selectors import current_tenant, tenant_today

from . import charts
from .forecast_forms import AdjustForm, ReasonForm, RollupFilterForm, cycle_value
from .forecast_rollup import (
    Rollup,
    accuracy_tables,
    forecast_months,
    forecast_rollup,
    forecasts_for,
    rollup_of,
    rollup_tables,
)
from .forecast_selectors import (
    NOT_STARTED,
    CyclePartnerFilter,
    current_cycle,
    cycle_months,
    cycle_partners,
    cycles_known,
    cycles_overview,
    forecast_get_visible,
    forecast_lines,
)
from .forecast_services import (
    forecast_adjust,
    forecast_can_decide,
    forecast_commit,
    forecast_return,
)
from .geography import Area, area_of, province_label
from .models import Forecast, ForecastLine, ForecastStatus
from .periods import add_months
from .tables import CONTENT_TYPES, MONEY, NUMBER, Column, Table, table_response

PER_PAGE = 50
STATUS_LABELS = dict(ForecastStatus.choices)


# --- tables on pages and as downloads (the partner portal uses these too) ---------------------


@dataclass
class ShownTable:
    table: Table
    rows: list[tuple[list[tuple[Any, str]], str | None]]  # (value, column kind) cells, link
    footer: list[tuple[Any, str]] | None
    csv_url: str
    xlsx_url: str


def _download_url(request: HttpRequest, key: str, fmt: str) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    query["export"] = fmt
    query["table"] = key
    return f"?{query.urlencode()}"


def shown(request: HttpRequest, tables: list[Table]) -> list[ShownTable]:
    out = []
    for table in tables:
        kinds = [c.kind for c in table.columns]
        links = table.links or [None] * len(table.rows)
        out.append(
            ShownTable(
                table=table,
                rows=[
                    (list(zip(row, kinds, strict=True)), link)
                    for row, link in zip(table.rows, links, strict=True)
                ],
                footer=list(zip(table.footer, kinds, strict=True)) if table.footer else None,
                csv_url=_download_url(request, table.key, "csv"),
                xlsx_url=_download_url(request, table.key, "xlsx"),
            )
        )
    return out


def export_response(request: HttpRequest, tables: list[Table]) -> HttpResponse | None:
    """The download asked for by `?export=&table=`, or None when the page itself is wanted."""
    fmt = request.GET.get("export")
    if not fmt:
        return None
    table = next((t for t in tables if t.key == request.GET.get("table")), None)
    if fmt not in CONTENT_TYPES or table is None:
        raise Http404
    response = table_response(table, fmt, stamp=tenant_today())
    response["Cache-Control"] = "private, no-store"
    return response


def table_context(request: HttpRequest, tables: list[Table]) -> dict[str, Any]:
    return {"tables": shown(request, tables), "currency": current_tenant().currency}


def _status_label(status: str | None) -> str:
    return str(STATUS_LABELS.get(status or "", _("Not started")))


# --- cycles -------------------------------------------------------------------------------------


def _cycle_url(cycle: date) -> str:
    return reverse("forecasts:cycle", args=[cycle.year, cycle.month])


@vendor_required
def cycle_list(request: HttpRequest) -> HttpResponse:
    """Each cycle with its forecasts by status: who is still to submit."""
    overview = cycles_overview(signed_in_user(request))
    table = Table(
        key="forecast-cycles",
        title=_("Forecast cycles"),
        columns=[
            Column(_("Cycle")),
            Column(_("Active partners"), NUMBER),
            Column(_("Not started"), NUMBER),
            Column(_("Draft"), NUMBER),
            Column(_("Submitted"), NUMBER),
            Column(_("Committed"), NUMBER),
        ],
        rows=[
            [cycle_value(c.cycle), c.expected, c.not_started, c.draft, c.submitted, c.committed]
            for c in overview
        ],
        links=[_cycle_url(c.cycle) for c in overview],
    )
    download = export_response(request, [table])
    if download is not None:
        return download
    return render(
        request,
        "reports/forecasts/cycles.html",
        {**table_context(request, [table]), "current": current_cycle()},
    )


def _cycle_table(partners: Any, cycle: date) -> Table:
    rows, links = [], []
    for partner in partners:
        rows.append(
            [
                partner.display_name,
                province_label(partner.region),
                str(Area(area_of(partner.region)).label),
                partner.channel_manager.full_name if partner.channel_manager else "",
                _status_label(partner.forecast_status),
                (
                    localtime(partner.forecast_submitted_at).strftime("%Y-%m-%d %H:%M")
                    if partner.forecast_submitted_at
                    else ""
                ),
                partner.forecast_total if partner.forecast_id else None,
                partner.final_total if partner.forecast_id else None,
            ]
        )
        links.append(
            reverse("forecasts:detail", args=[partner.forecast_id]) if partner.forecast_id else None
        )
    return Table(
        key=f"forecast-{cycle_value(cycle)}-partners",
        title=_("Partners"),
        columns=[
            Column(_("Partner")),
            Column(_("Province")),
            Column(_("Area")),
            Column(_("Channel manager")),
            Column(_("Status")),
            Column(_("Submitted at")),
            Column(_("Partner's forecast"), MONEY),
            Column(_("Final forecast"), MONEY),
        ],
        rows=rows,
        links=links,
    )


@vendor_required
def cycle_detail(request: HttpRequest, year: int, month: int) -> HttpResponse:
    """One cycle's partners with their forecast's status and totals, filterable by status."""
    try:
        cycle = date(year, month, 1)
    except ValueError as exc:
        raise Http404 from exc
    user = signed_in_user(request)
    filterset = CyclePartnerFilter(request.GET, queryset=cycle_partners(user, cycle))
    partners = filterset.qs
    if request.GET.get("export"):
        download = export_response(request, [_cycle_table(partners, cycle)])
        assert download is not None
        return download
    page = Paginator(partners, PER_PAGE).get_page(request.GET.get("page"))
    table = _cycle_table(page.object_list, cycle)
    return render(
        request,
        "reports/forecasts/cycle.html",
        {
            **table_context(request, [table]),
            "cycle": cycle,
            "months": cycle_months(cycle),
            "filter": filterset,
            "page": page,
            "not_started": NOT_STARTED,
        },
    )


# --- one forecast -------------------------------------------------------------------------------


def _forecast_visible(request: HttpRequest, pk: int) -> Forecast:
    found = forecast_get_visible(user=request.user, pk=pk)
    if found is None:
        raise Http404
    return found


def line_table(
    forecast: Forecast, lines: list[ForecastLine], rollup: Rollup, *, vendor: bool
) -> Table:
    """A forecast's lines with the partner's pipeline and actuals. Partners see the channel
    manager's adjustments once the forecast is committed."""
    show_final = vendor or forecast.status == ForecastStatus.COMMITTED
    rows = []
    for line in lines:
        cell = rollup.cells.get((forecast.partner.region, line.product_line_id, line.month))
        row: list[Any] = [line.product_line.display_name, cycle_value(line.month), line.amount]
        if vendor:
            adjuster = line.adjusted_by.full_name if line.adjusted_by else ""
            row += [line.adjusted_amount, line.final_amount, line.note, adjuster]
        else:
            row += [line.final_amount if show_final else None]
        row += [cell.pipeline if cell else None, cell.actual if cell else None]
        rows.append(row)
    columns = [
        Column(_("Product line")),
        Column(_("Month")),
        Column(_("Partner's forecast"), MONEY),
    ]
    if vendor:
        columns += [
            Column(_("Adjusted forecast"), MONEY),
            Column(_("Final forecast"), MONEY),
            Column(_("Note")),
            Column(_("Adjusted by")),
        ]
    else:
        columns += [Column(_("Final forecast"), MONEY)]
    columns += [Column(_("Weighted pipeline"), MONEY), Column(_("Actual ordered"), MONEY)]
    return Table(
        key=f"forecast-{cycle_value(forecast.cycle)}-lines",
        title=_("Forecast lines"),
        columns=columns,
        rows=rows,
    )


def forecast_rollup_one(user: Any, forecast: Forecast) -> Rollup:
    """Pipeline and actuals beside one forecast's lines."""
    return rollup_of(user, Forecast.objects.filter(pk=forecast.pk), cycle_months(forecast.cycle))


@vendor_required
def forecast_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = signed_in_user(request)
    forecast = _forecast_visible(request, pk)
    lines = list(forecast_lines(forecast))
    table = line_table(forecast, lines, forecast_rollup_one(user, forecast), vendor=True)
    download = export_response(request, [table])
    if download is not None:
        return download
    can_decide = forecast_can_decide(forecast.partner, user)
    can_adjust = can_decide and forecast.status == ForecastStatus.SUBMITTED
    return render(
        request,
        "reports/forecasts/detail.html",
        {
            **table_context(request, [table]),
            "forecast": forecast,
            "partner": forecast.partner,
            "lines": lines,
            "can_adjust": can_adjust,
            "reason_form": ReasonForm() if can_adjust else None,
            "status_changes": forecast.status_changes.select_related("actor"),
            "audit_events": audit_events_for(forecast),
            "cycle_url": _cycle_url(forecast.cycle),
        },
    )


@vendor_required
@require_POST
def forecast_adjust_view(request: HttpRequest, pk: int, line_pk: int) -> HttpResponse:
    forecast = _forecast_visible(request, pk)
    line = ForecastLine.objects.filter(forecast=forecast, pk=line_pk).first()
    if line is None:
        raise Http404
    form = AdjustForm(request.POST)
    form.is_valid()  # both fields are optional text: the service judges them
    data = form.cleaned_data
    flash_outcome(
        request,
        lambda: forecast_adjust(
            line=line,
            amount=data["adjusted_amount"].strip() or None,
            note=data["note"],
            actor=request.user,
        ),
        _("%(line)s %(month)s adjusted.")
        % {"line": line.product_line.display_name, "month": cycle_value(line.month)},
    )
    return redirect("forecasts:detail", pk=pk)


@vendor_required
@require_POST
def forecast_return_view(request: HttpRequest, pk: int) -> HttpResponse:
    forecast = _forecast_visible(request, pk)
    form = ReasonForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    flash_outcome(
        request,
        lambda: forecast_return(forecast=forecast, reason=reason, actor=request.user),
        _("The forecast of %(partner)s was sent back for changes.")
        % {"partner": forecast.partner.display_name},
    )
    return redirect("forecasts:detail", pk=pk)


@vendor_required
@require_POST
def forecast_commit_view(request: HttpRequest, pk: int) -> HttpResponse:
    forecast = _forecast_visible(request, pk)
    flash_outcome(
        request,
        lambda: forecast_commit(forecast=forecast, actor=request.user),
        _("The forecast of %(partner)s is committed.") % {"partner": forecast.partner.display_name},
    )
    return redirect("forecasts:detail", pk=pk)


# --- roll-up and accuracy -----------------------------------------------------------------------


@vendor_required
def rollup(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    form = RollupFilterForm(request.GET, cycles=cycles_known(user), default=current_cycle())
    filters = form.filters()
    found = forecast_rollup(user=user, filters=filters)
    tables = rollup_tables(found)
    download = export_response(request, tables)
    if download is not None:
        return download
    by_month = found.grouped(lambda key: key[2])
    measures = [by_month.get(m) for m in found.months]
    chart = charts.chart(
        "bar",
        [f"{m:%Y-%m}" for m in found.months],
        [
            charts.series(_("Partners' forecast"), [x.forecast if x else 0 for x in measures]),
            charts.series(_("Final forecast"), [x.final if x else 0 for x in measures]),
            charts.series(_("Weighted pipeline"), [x.pipeline if x else 0 for x in measures]),
            charts.series(_("Actual ordered"), [x.actual if x else None for x in measures]),
        ],
        title=_("Forecast, pipeline and actual by month"),
    )
    return render(
        request,
        "reports/forecasts/rollup.html",
        {
            **table_context(request, tables),
            "filter": {"form": form},
            "filters": filters,
            "chart": chart,
            "document_query": request.GET.urlencode(),
            "months": found.months,
            "partners": found.partners,
            "total": found.total(),
        },
    )


def accuracy_default(cycles: list[date]) -> date:
    """The newest cycle with a month that is over (a cycle's first month is the next one)."""
    latest = add_months(current_cycle(), -2)
    return next((c for c in sorted(cycles, reverse=True) if c <= latest), latest)


@vendor_required
def accuracy(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    cycles = cycles_known(user)
    form = RollupFilterForm(request.GET, cycles=cycles, default=accuracy_default(cycles))
    filters = form.filters()
    rows = forecast_months(forecasts_for(user, filters), product_line=filters.product_line)
    tables = accuracy_tables(rows)
    download = export_response(request, tables)
    if download is not None:
        return download
    return render(
        request,
        "reports/forecasts/accuracy.html",
        {
            **table_context(request, tables),
            "filter": {"form": form},
            "filters": filters,
            "closed": sorted({r.month for r in rows if r.actual is not None}),
        },
    )
