"""The partner scoreboard: the partner user's own (portal) and any partner's the vendor staff
member sees (vendor portal). One page for both; its two tables download as CSV or XLSX with
`?export=csv|xlsx&table=purchases|targets`. Thin callers of `reports.scoreboard`; the
vendor's page to import purchase targets calls `reports.target_import`."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from partners.models import Partner
from partners.selectors import partner_get_visible
from prm.accounts.access import partner_required, signed_in_user, vendor_required
from prm.tenancy.selectors import current_tenant, tenant_today

from .scoreboard import purchases_build, scoreboard_build
from .scoreboard_tables import (
    TARGETS,
    achievement_chart,
    percent_text,
    purchases_chart,
    scoreboard_tables,
    table_display,
)
from .tables import CONTENT_TYPES, table_response
from .target_import import COLUMNS, TargetUploadForm, targets_can_import, targets_import

YEARS_BACK = 5
PORTAL_BASE = "portal/base.html"
VENDOR_BASE = "vendor/base.html"


class YearForm(forms.Form):
    year = forms.TypedChoiceField(label=_("Year"), coerce=int, required=False)

    def __init__(self, data: Any, *, today: date) -> None:
        super().__init__(data)
        years = range(today.year + 1, today.year - YEARS_BACK - 1, -1)
        self.fields["year"].choices = [(y, str(y)) for y in years]  # type: ignore[attr-defined]

    def chosen(self, today: date) -> int:
        """The year asked for; the current year when none or an unknown one is asked for."""
        if self.is_valid() and self.cleaned_data.get("year"):
            return int(self.cleaned_data["year"])
        return today.year


def _export(request: HttpRequest, partner: Partner, year: int, today: date) -> HttpResponse:
    fmt = request.GET.get("export", "")
    if fmt not in CONTENT_TYPES:
        return HttpResponseBadRequest(
            _("Export as csv or xlsx."), content_type="text/plain; charset=utf-8"
        )
    figures = purchases_build(partner, year=year, today=today)
    table = scoreboard_tables(figures).get(request.GET.get("table", ""))
    if table is None:
        raise Http404
    named = replace(table, key=f"scoreboard-{partner.pk}-{year}-{table.key}")
    response = table_response(named, fmt, stamp=today)
    response["Cache-Control"] = "private, no-store"
    return response


def _bar(achievement: Decimal | None) -> int:
    """Width of a progress bar in percent (a bar never runs past full)."""
    return min(100, int(achievement * 100)) if achievement is not None else 0


def _page(request: HttpRequest, partner: Partner, *, base: str) -> HttpResponse:
    today = tenant_today()
    form = YearForm(request.GET or None, today=today)
    year = form.chosen(today)
    if "export" in request.GET:
        return _export(request, partner, year, today)
    board = scoreboard_build(partner, year=year, today=today)
    figures = board.purchases
    currency = current_tenant().currency
    tables = scoreboard_tables(figures)
    current = figures.current_quarter
    current_row = current.quarter - 1 if current is not None and current.quarter else None
    return render(
        request,
        "reports/scoreboard/page.html",
        {
            "base_template": base,
            "is_portal": base == PORTAL_BASE,
            "can_import": base == VENDOR_BASE and targets_can_import(request.user),
            "partner": partner,
            "board": board,
            "figures": figures,
            "currency": currency,
            "form": form,
            "year": year,
            # The PDF and the subscription of this page: the vendor's names the partner.
            "document_query": urlencode(
                {"year": year} if base == PORTAL_BASE else {"partner": partner.pk, "year": year}
            ),
            "purchases_chart": purchases_chart(figures),
            "achievement_chart": achievement_chart(figures),
            "shown": {
                "growth": percent_text(figures.growth),
                "year_achievement": percent_text(figures.year_target.achievement),
                "year_bar": _bar(figures.year_target.achievement),
                "quarter_achievement": percent_text(current.achievement) if current else "",
                "quarter_bar": _bar(current.achievement) if current else 0,
            },
            "tables": [
                table_display(table, currency, current=current_row if key == TARGETS else None)
                for key, table in tables.items()
            ],
        },
    )


@partner_required
def portal_scoreboard(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    partner = partner_get_visible(user=user, pk=user.partner_id or 0)
    if partner is None:
        raise Http404
    return _page(request, partner, base=PORTAL_BASE)


@login_required
def partner_scoreboard(request: HttpRequest, partner_id: int) -> HttpResponse:
    """Vendor staff who see the partner; a 404 for everyone else, partner users included (the
    page of another partner does not exist for them)."""
    user = signed_in_user(request)
    partner = partner_get_visible(user=user, pk=partner_id) if user.is_vendor_staff else None
    if partner is None:
        raise Http404
    return _page(request, partner, base=VENDOR_BASE)


@vendor_required
def targets_import_view(request: HttpRequest) -> HttpResponse:
    """Purchase targets from a spreadsheet (vendor admins, and channel managers for their own
    partners); each rejected row is listed with its reasons."""
    user = signed_in_user(request)
    if not targets_can_import(user):
        raise PermissionDenied
    form = TargetUploadForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        result = targets_import(upload=form.cleaned_data["file"], actor=user)
    return render(
        request,
        "reports/scoreboard/target_import.html",
        {"form": form, "result": result, "columns": COLUMNS},
    )
