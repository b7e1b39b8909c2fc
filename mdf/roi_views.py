"""The market fund ROI page and its CSV (vendor portal). Thin callers of `mdf.roi`: the numbers,
their definitions and the visibility (channel managers: their own partners) live there."""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from prm.accounts.access import signed_in_user, vendor_required
from prm.core.bilingual import pick
from prm.core.forms import form_errors
from prm.core.spreadsheets import text_cell
from prm.core.templatetags.humanize_money import SYMBOLS
from prm.core.widgets import DateInput

from .models import MdfActivityType, MdfFund
from .roi import Group, Period, RoiLine, RoiReport, roi_can_view, roi_report


class _ActivityTypeField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return pick(obj.name, obj.name_en)


class RoiFilterForm(forms.Form):
    fund = forms.ModelChoiceField(
        label=gettext_lazy("Fund"),
        queryset=MdfFund.objects.order_by("-starts_on", "code"),
        required=False,
        empty_label=gettext_lazy("All"),
    )
    date_from = forms.DateField(
        label=gettext_lazy("Activity ends from"), required=False, widget=DateInput
    )
    date_to = forms.DateField(
        label=gettext_lazy("Activity ends by"), required=False, widget=DateInput
    )
    activity_type = _ActivityTypeField(
        label=gettext_lazy("Activity type"),
        queryset=MdfActivityType.objects.order_by("code"),
        required=False,
        empty_label=gettext_lazy("All"),
    )
    group = forms.ChoiceField(label=gettext_lazy("Group by"), choices=Group.choices, required=False)
    period = forms.ChoiceField(
        label=gettext_lazy("Periods of"), choices=Period.choices, required=False
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", _("The end cannot be before the start."))
        return data


def _report(request: HttpRequest) -> tuple[RoiFilterForm, RoiReport | None]:
    user = signed_in_user(request)
    if not roi_can_view(user):
        raise PermissionDenied
    form = RoiFilterForm(request.GET)
    if not form.is_valid():
        return form, None
    data = form.cleaned_data
    return form, roi_report(
        user=user,
        group=data["group"] or Group.ACTIVITY_TYPE,
        period=data["period"] or Period.MONTH,
        fund=data["fund"],
        activity_type=data["activity_type"],
        date_from=data["date_from"],
        date_to=data["date_to"],
    )


def _percent(part: Decimal, whole: Decimal) -> int:
    return int(part * 100 / whole) if whole > 0 else 0


def _bars(report: RoiReport) -> list[tuple[RoiLine, int, int]]:
    """Each line with its spend and attributed revenue as % of the largest of either."""
    top = max(
        (max(line.spend, line.attributed_revenue) for line in report.lines), default=Decimal(0)
    )
    return [
        (line, _percent(line.spend, top), _percent(line.attributed_revenue, top))
        for line in report.lines
    ]


def _per_unit_heading(currency: str) -> str:
    return _("Revenue per %(symbol)s1") % {"symbol": SYMBOLS.get(currency, f"{currency} ")}


@vendor_required
def report(request: HttpRequest) -> HttpResponse:
    form, found = _report(request)
    group = form.cleaned_data.get("group") if found else ""
    return render(
        request,
        "mdf/roi.html",
        {
            "form": form,
            "filter": {"form": form},
            "report": found,
            "rows": _bars(found) if found else [],
            "group_label": Group(found.group).label if found else "",
            "per_unit_heading": _per_unit_heading(found.currency) if found else "",
            "is_activity": group == Group.ACTIVITY,
            "query": request.GET.urlencode(),
        },
    )


def _cell(value: Decimal | None) -> str:
    return "" if value is None else str(value)


@vendor_required
def export(request: HttpRequest) -> HttpResponse:
    form, found = _report(request)
    if found is None:
        return HttpResponseBadRequest(form_errors(form), content_type="text/plain; charset=utf-8")
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow(
        [
            Group(found.group).label,
            _("Detail"),
            _("Activities"),
            _("Spend"),
            _("Committed"),
            _("Leads"),
            _("New customers"),
            _("Reported revenue"),
            _("Attributed revenue"),
            _("ROI %"),
            _per_unit_heading(found.currency),
        ]
    )
    for line in [*found.lines, found.total]:
        writer.writerow(
            [
                text_cell(str(line.label)),
                text_cell(str(line.detail)),
                line.activities,
                line.spend,
                line.committed,
                line.leads,
                line.new_customers,
                line.reported_revenue,
                line.attributed_revenue,
                _cell(line.roi_percent),
                _cell(line.revenue_per_unit),
            ]
        )
    # BOM so Excel opens UTF-8 Chinese correctly.
    response = HttpResponse(
        ("\ufeff" + text.getvalue()).encode("utf-8"), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="mdf-roi-{found.group}.csv"'
    response["Cache-Control"] = "private, no-store"
    return response
