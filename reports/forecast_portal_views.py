"""Forecast pages of the partner portal: this month's forecast (a grid of product lines by
month) to fill in and submit, and the partner's past forecasts with their final figures,
actuals and accuracy. Only the user's own partner's forecasts are ever read
(`forecasts_visible_to`); another partner's forecast is a 404."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from partners.models import PartnerStatus
from partners.selectors import partners_visible_to
from prm.accounts.access import partner_required, signed_in_user
from prm.core.flash import flash_outcome
from prm.core.forms import attach_errors

from .forecast_forms import ForecastGridForm, cycle_value
from .forecast_rollup import ForecastMonth, Rollup, accuracy, forecast_months
from .forecast_selectors import (
    current_cycle,
    forecast_get_visible,
    forecast_lines,
    forecasts_visible_to,
)
from .forecast_services import forecast_open, forecast_save, forecast_submit
from .forecast_views import (
    STATUS_LABELS,
    export_response,
    forecast_rollup_one,
    line_table,
    table_context,
)
from .models import Forecast, ForecastStatus
from .tables import MONEY, PERCENT, Column, Table


def _visible(request: HttpRequest, pk: int) -> Forecast:
    found = forecast_get_visible(user=request.user, pk=pk)
    if found is None:
        raise Http404
    return found


def _shown_to_partner(row: ForecastMonth) -> tuple[Any, Any]:
    """(final, accuracy) as the partner sees them: the channel manager's figures once
    committed; its own figures while submitted; nothing for a draft."""
    if row.status == ForecastStatus.COMMITTED:
        final = row.final
    elif row.status == ForecastStatus.SUBMITTED:
        final = row.forecast
    else:
        return None, None
    return final, None if row.actual is None else accuracy(final, row.actual)


def history_table(rows: list[ForecastMonth]) -> Table:
    shown_rows: list[list[Any]] = []
    links: list[str | None] = []
    for row in rows:
        final, score = _shown_to_partner(row)
        shown_rows.append(
            [
                cycle_value(row.cycle),
                cycle_value(row.month),
                str(STATUS_LABELS.get(row.status, row.status)),
                row.forecast,
                final,
                row.actual,
                score,
            ]
        )
        links.append(reverse("portal_forecasts:detail", args=[row.forecast_id]))
    return Table(
        key="forecast-history",
        title=_("Past forecasts"),
        columns=[
            Column(_("Cycle")),
            Column(_("Month")),
            Column(_("Status")),
            Column(_("Your forecast"), MONEY),
            Column(_("Final forecast"), MONEY),
            Column(_("Actual ordered"), MONEY),
            Column(_("Accuracy"), PERCENT),
        ],
        rows=shown_rows,
        links=links,
    )


def _pipeline(rollup: Rollup | None) -> dict[tuple[int, date], Decimal]:
    if rollup is None:
        return {}
    return {(line_id, month): m.pipeline for (_r, line_id, month), m in rollup.cells.items()}


def _home(request: HttpRequest, *, form: ForecastGridForm | None = None) -> HttpResponse:
    user = signed_in_user(request)
    partner = partners_visible_to(user).filter(pk=user.partner_id or 0).first()
    if partner is None:
        raise Http404
    cycle = current_cycle()
    forecasts = forecasts_visible_to(user)
    current = forecasts.filter(cycle=cycle).first()
    tables = [history_table(forecast_months(forecasts.filter(cycle__lt=cycle)))]
    lines = list(forecast_lines(current)) if current else []
    rollup = forecast_rollup_one(user, current) if current else None
    if current is not None and current.status != ForecastStatus.DRAFT:
        assert rollup is not None
        tables.insert(0, line_table(current, lines, rollup, vendor=False))
    download = export_response(request, tables)
    if download is not None:
        return download
    is_draft = current is not None and current.status == ForecastStatus.DRAFT
    if is_draft and form is None:
        form = ForecastGridForm(lines=lines)
    sent_back = (
        current.status_changes.filter(to_status=ForecastStatus.DRAFT)
        .exclude(from_status="")
        .order_by("-created_at", "-pk")
        .first()
        if is_draft and current is not None
        else None
    )
    return render(
        request,
        "reports/forecasts/portal_home.html",
        {
            **table_context(request, tables),
            "partner": partner,
            "cycle": cycle,
            "forecast": current,
            "form": form if is_draft else None,
            "grid": form.grid(_pipeline(rollup)) if is_draft and form else [],
            "months": form.months() if is_draft and form else [],
            "sent_back": sent_back,
            "can_open": current is None
            and partner.status == PartnerStatus.ACTIVE
            and partner.product_lines.exists(),
        },
    )


@partner_required
def home(request: HttpRequest) -> HttpResponse:
    return _home(request)


@partner_required
@require_POST
def open_view(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    partner = partners_visible_to(user).filter(pk=user.partner_id or 0).first()
    if partner is None:
        raise Http404
    flash_outcome(
        request,
        lambda: forecast_open(partner=partner, cycle=current_cycle(), actor=user),
        _("Your %(cycle)s forecast is ready to fill in.") % {"cycle": cycle_value(current_cycle())},
    )
    return redirect("portal_forecasts:home")


@partner_required
@require_POST
def save_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Save the draft's figures, and submit them when the submit button was pressed; one unit,
    so a refused submit keeps nothing of the save either."""
    user = signed_in_user(request)
    forecast = _visible(request, pk)
    form = ForecastGridForm(request.POST, lines=list(forecast_lines(forecast)))
    form.is_valid()  # text fields: the service judges the figures
    submit = "submit" in request.POST
    try:
        with transaction.atomic():
            forecast_save(forecast=forecast, amounts=form.amounts(), actor=user)
            if submit:
                forecast_submit(forecast=forecast, actor=user)
    except ValidationError as exc:
        is_current = forecast.cycle == current_cycle()
        if not (hasattr(exc, "error_dict") and is_current):
            messages.error(request, " ".join(exc.messages))
            return redirect("portal_forecasts:home")
        attach_errors(form, exc)
        messages.error(request, _("Please correct the figures marked below."))
        return _home(request, form=form)
    if submit:
        messages.success(request, _("Your forecast was submitted to your channel manager."))
    else:
        messages.success(request, _("Your forecast was saved as a draft."))
    return redirect("portal_forecasts:home")


@partner_required
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = signed_in_user(request)
    forecast = _visible(request, pk)
    lines = list(forecast_lines(forecast))
    table = line_table(forecast, lines, forecast_rollup_one(user, forecast), vendor=False)
    download = export_response(request, [table])
    if download is not None:
        return download
    return render(
        request,
        "reports/forecasts/portal_detail.html",
        {
            **table_context(request, [table]),
            "forecast": forecast,
            "status_changes": forecast.status_changes.select_related("actor"),
        },
    )
