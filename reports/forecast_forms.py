"""Forms of the forecast pages. Figures are taken as typed and checked by the services
(`reports.forecast_services.amount_error`), so a page and any other caller refuse the same
values with the same message at the same field."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from partners.models import ProductLine
from prm.core.bilingual import pick

from .forecast_rollup import RollupFilters
from .forecast_services import NOTE_MAX, amount_field
from .geography import PROVINCES, Area
from .models import ForecastLine


def cycle_value(cycle: date) -> str:
    return f"{cycle:%Y-%m}"


def parse_cycle(value: str) -> date | None:
    try:
        year, month = (int(part) for part in value.split("-"))
        return date(year, month, 1)
    except ValueError:
        return None


@dataclass
class GridRow:
    product_line: ProductLine
    cells: list[tuple[ForecastLine, forms.BoundField, Decimal | None]]  # with its pipeline


class ForecastGridForm(forms.Form):
    """One field per line of the forecast (product line x month), named by `amount_field`."""

    def __init__(self, data: Any = None, *, lines: list[ForecastLine]) -> None:
        super().__init__(data)
        self.lines = lines
        for line in lines:
            self.fields[self.name_of(line)] = forms.CharField(
                label=f"{line.product_line.display_name} {line.month:%Y-%m}",
                required=False,
                initial=line.amount,
                widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
            )

    @staticmethod
    def name_of(line: ForecastLine) -> str:
        return amount_field(line.product_line_id, line.month)

    def amounts(self) -> dict[tuple[int, date], str]:
        return {
            (line.product_line_id, line.month): self.cleaned_data.get(self.name_of(line), "")
            for line in self.lines
        }

    def months(self) -> list[date]:
        return sorted({line.month for line in self.lines})

    def grid(self, pipeline: dict[tuple[int, date], Decimal]) -> list[GridRow]:
        """Rows of product lines, a cell per month, each with the partner's weighted pipeline
        of that line and month (`pipeline`, keyed by product line id and month)."""
        rows: dict[int, GridRow] = {}
        for line in sorted(self.lines, key=lambda li: (li.product_line.code, li.month)):
            row = rows.setdefault(line.product_line_id, GridRow(line.product_line, []))
            key = (line.product_line_id, line.month)
            row.cells.append((line, self[self.name_of(line)], pipeline.get(key)))
        return list(rows.values())


class AdjustForm(forms.Form):
    adjusted_amount = forms.CharField(label=_("Adjusted forecast"), required=False)
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.TextInput(attrs={"maxlength": NOTE_MAX})
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class _ProductLineField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return pick(obj.name, obj.name_en)


class RollupFilterForm(forms.Form):
    """Cycle, area, province and product line of the roll-up and accuracy pages."""

    cycle = forms.ChoiceField(label=_("Cycle"), required=False)
    area = forms.ChoiceField(
        label=_("Area"), required=False, choices=[("", _("All")), *Area.choices]
    )
    province = forms.ChoiceField(label=_("Province"), required=False)
    product_line = _ProductLineField(
        label=_("Product line"),
        queryset=ProductLine.objects.order_by("code"),
        required=False,
        empty_label=_("All"),
    )

    def __init__(self, data: Any, *, cycles: list[date], default: date) -> None:
        if not data.get("cycle"):
            # Bound with the default cycle, so the page shows the cycle it reports on.
            data = data.copy()
            data["cycle"] = cycle_value(default)
        super().__init__(data)
        self.default = default
        known = sorted({*cycles, default}, reverse=True)
        cycle_field = self.fields["cycle"]
        assert isinstance(cycle_field, forms.ChoiceField)
        cycle_field.choices = [(cycle_value(c), cycle_value(c)) for c in known]
        province_field = self.fields["province"]
        assert isinstance(province_field, forms.ChoiceField)
        province_field.choices = [("", _("All"))] + [
            (zh, pick(zh, en)) for zh, en, _area in PROVINCES
        ]

    def filters(self) -> RollupFilters:
        """The chosen filters; anything invalid falls back to its default."""
        data = self.cleaned_data if self.is_valid() else {}
        return RollupFilters(
            cycle=parse_cycle(data.get("cycle") or "") or self.default,
            area=data.get("area") or "",
            province=data.get("province") or "",
            product_line=data.get("product_line"),
        )
