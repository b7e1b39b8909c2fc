"""Forms of the partner portal's market fund pages. They only parse what the partner typed: the
services (mdf.requests, mdf.evidence, mdf.claims) check everything again and their refusals are
shown where they belong, including at a budget line or invoice row (see `RowsForm`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import django_filters
from django import forms
from django.db.models import Q, QuerySet
from django.forms import BoundField
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _

from deal_registration.selectors import deals_visible_to
from orders.selectors import orders_visible_to
from prm.core.bilingual import pick
from prm.core.money import DECIMAL_PLACES, MAX_DIGITS

from .claims import InvoiceIn
from .evidence import MAX_BYTES
from .models import EvidenceKind, MdfActivityType, MdfFund, MdfRequest
from .selectors import RequestFilter, funds_open_to

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
LINE_ROWS = 8
INVOICE_ROWS = 10
ZERO = Decimal("0.00")
MAX_COUNT = 2_147_483_647  # what the count columns hold


def _amount(label: Any, *, required: bool = False) -> forms.DecimalField:
    # No decimal_places here: "12.345" reaches the service, which says what an amount must be.
    return forms.DecimalField(
        label=label,
        required=required,
        max_digits=MAX_DIGITS,
        widget=forms.NumberInput(attrs={"step": "0.01", "inputmode": "decimal"}),
    )


class FundChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{pick(obj.name, obj.name_en)} ({obj.starts_on:%Y-%m-%d} – {obj.ends_on:%Y-%m-%d})"


class ActivityTypeChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return pick(obj.name, obj.name_en)


# --- rows ---------------------------------------------------------------------------------------


@dataclass
class Row:
    """One numbered row of a rows form as the template lays it out: its bound fields and every
    error shown at it (the fields' own and the service's `<prefix>-<n>`)."""

    number: int
    fields: list[BoundField]
    errors: list[str] = field(default_factory=list)


class RowsForm(forms.Form):
    """A fixed number of numbered rows (`<prefix>-<row>-<column>` fields); rows left empty are
    ignored. The services number the rows they are given from 1, so a refusal keyed
    `<prefix>-<n>` is shown at the n-th non-empty row, whichever row of the page that was."""

    prefix_name = ""
    columns: tuple[str, ...] = ()

    def __init__(self, *args: Any, rows: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.row_count = rows
        for row in range(1, rows + 1):
            for column in self.columns:
                column_field = self.column_field(column)
                column_field.widget.attrs["aria-label"] = f"{column_field.label} {row}"
                self.fields[self.name(row, column)] = column_field
        # Shown rows behind what was passed to the service, in order: kept[n - 1] is row n's.
        self.kept: list[int] = []
        self.row_errors: dict[int, list[str]] = {}
        self.rows_errors: list[str] = []

    def name(self, row: int, column: str) -> str:
        return f"{self.prefix_name}-{row}-{column}"

    def column_field(self, column: str) -> forms.Field:
        raise NotImplementedError

    def value(self, row: int, column: str) -> Any:
        return self.cleaned_data.get(self.name(row, column))

    def is_empty(self, row: int) -> bool:
        raise NotImplementedError

    def non_empty_rows(self) -> list[int]:
        self.kept = [row for row in range(1, self.row_count + 1) if not self.is_empty(row)]
        return self.kept

    def add_row_error(self, key: str, messages: list[str]) -> bool:
        """Show a service's error keyed `<prefix>-<n>` at its row; False if the key is not one."""
        head, _sep, tail = key.rpartition("-")
        if head != self.prefix_name or not tail.isdigit():
            return False
        n = int(tail)
        row = self.kept[n - 1] if 0 < n <= len(self.kept) else None
        if row is None:
            self.rows_errors.extend(messages)
        else:
            self.row_errors.setdefault(row, []).extend(messages)
        return True

    @property
    def rows(self) -> list[Row]:
        laid_out = []
        for row in range(1, self.row_count + 1):
            bound = [self[self.name(row, column)] for column in self.columns]
            errors = [str(e) for b in bound for e in b.errors]
            errors += self.row_errors.get(row, [])
            laid_out.append(Row(number=row, fields=bound, errors=errors))
        return laid_out

    @property
    def has_row_errors(self) -> bool:
        return bool(self.row_errors or self.rows_errors)


class BudgetLinesForm(RowsForm):
    prefix_name = "line"
    columns = ("description", "amount")

    def column_field(self, column: str) -> forms.Field:
        if column == "description":
            return forms.CharField(label=_("Budget item"), required=False, max_length=200)
        return _amount(_("Amount"))

    @classmethod
    def initial_for(cls, request: MdfRequest) -> dict[str, Any]:
        initial: dict[str, Any] = {}
        for row, line in enumerate(request.lines.all(), start=1):
            initial[f"line-{row}-description"] = line.description
            initial[f"line-{row}-amount"] = line.amount
        return initial

    def _line(self, row: int) -> tuple[str, Decimal]:
        # A missing amount goes as zero: a described line without one is refused at its row.
        return (self.value(row, "description") or "").strip(), self.value(row, "amount") or ZERO

    def is_empty(self, row: int) -> bool:
        text, amount = self._line(row)
        return not (text or amount)  # the service's own test for a line to keep

    def lines(self) -> list[tuple[str, Decimal]]:
        return [self._line(row) for row in self.non_empty_rows()]


class InvoiceRowsForm(RowsForm):
    prefix_name = "invoice"
    columns = ("number", "issued_on", "amount", "issuer")

    def column_field(self, column: str) -> forms.Field:
        if column == "number":
            return forms.CharField(label=_("Invoice no."), required=False, max_length=40)
        if column == "issued_on":
            return forms.DateField(label=_("Invoice date"), required=False, widget=DATE)
        if column == "amount":
            return _amount(_("Amount"))
        return forms.CharField(label=_("Issuer"), required=False, max_length=200)

    def is_empty(self, row: int) -> bool:
        return not (
            (self.value(row, "number") or "").strip()
            or self.value(row, "issued_on")
            or self.value(row, "amount") is not None
            or (self.value(row, "issuer") or "").strip()
        )

    def invoices(self) -> list[InvoiceIn]:
        return [
            InvoiceIn(
                number=(self.value(row, "number") or "").strip(),
                issued_on=self.value(row, "issued_on"),
                amount=self.value(row, "amount"),
                issuer=(self.value(row, "issuer") or "").strip(),
            )
            for row in self.non_empty_rows()
        ]


# --- requests -----------------------------------------------------------------------------------


class RequestForm(forms.ModelForm):
    fund = FundChoiceField(label=_("Fund"), queryset=MdfFund.objects.none())
    activity_type = ActivityTypeChoiceField(
        label=_("Activity type"), queryset=MdfActivityType.objects.none()
    )

    class Meta:
        model = MdfRequest
        fields = [
            "fund",
            "activity_type",
            "title",
            "starts_on",
            "ends_on",
            "location",
            "plan",
            "expected_leads",
            "expected_revenue",
        ]
        widgets = {
            "starts_on": DATE,
            "ends_on": DATE,
            "plan": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args: Any, partner_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk is None:  # estimates to type, not the model's zeros to overwrite
            for name in ("expected_leads", "expected_revenue"):
                if name not in (kwargs.get("initial") or {}):
                    self.initial[name] = None
        # The funds the partner may draw on now; an edited request keeps its own fund and type
        # in the lists, so the service can say why they no longer do.
        current = self.instance
        open_funds = funds_open_to(partner_id).values("pk")
        self.fields["fund"].queryset = MdfFund.objects.filter(  # type: ignore[attr-defined]
            Q(pk__in=open_funds) | Q(pk=current.fund_id)
        ).order_by("-starts_on", "code")
        self.fields["activity_type"].queryset = (  # type: ignore[attr-defined]
            MdfActivityType.objects.filter(Q(is_active=True) | Q(pk=current.activity_type_id))
        )


class EvidenceForm(forms.Form):
    kind = forms.ChoiceField(label=_("What the file shows"), choices=EvidenceKind.choices)
    file = forms.FileField(
        label=_("File"),
        # Formatted when shown, in the reader's language, not once at import.
        help_text=lazy(
            lambda: _("PDF, PNG, JPEG or XLSX, at most %(mb)s MB.") % {"mb": MAX_BYTES // 2**20},
            str,
        )(),
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.png,.jpg,.jpeg,.xlsx"}),
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=200)


# --- claims -------------------------------------------------------------------------------------


class DealChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.number} · {obj.customer_name}"


class OrderChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.number} · {obj.created_at:%Y-%m-%d}"


class ClaimForm(forms.Form):
    leads = forms.IntegerField(label=_("Leads"), min_value=0, max_value=MAX_COUNT, initial=0)
    new_customers = forms.IntegerField(
        label=_("New customers"), min_value=0, max_value=MAX_COUNT, initial=0
    )
    revenue = forms.DecimalField(
        label=_("Revenue from the activity"),
        min_value=0,
        max_digits=MAX_DIGITS,
        decimal_places=DECIMAL_PLACES,
        initial=ZERO,
    )
    deals = DealChoiceField(
        label=_("Registered deals it brought"),
        required=False,
        queryset=deals_visible_to(None),
        widget=forms.SelectMultiple(attrs={"size": 5}),
    )
    orders = OrderChoiceField(
        label=_("Orders it brought"),
        required=False,
        queryset=orders_visible_to(None),
        widget=forms.SelectMultiple(attrs={"size": 5}),
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Only the partner's own rows: the selectors scope a partner user to its company.
        self.fields["deals"].queryset = (  # type: ignore[attr-defined]
            deals_visible_to(user).order_by("-pk")
        )
        self.fields["orders"].queryset = (  # type: ignore[attr-defined]
            orders_visible_to(user).order_by("-pk")
        )


# --- lists --------------------------------------------------------------------------------------


def _own_funds(request: Any) -> QuerySet[MdfFund]:
    partner_id = getattr(getattr(request, "user", None), "partner_id", None) or 0
    return MdfFund.objects.filter(allocations__partner_id=partner_id).order_by("-starts_on")


class PartnerRequestFilter(RequestFilter):
    """The request list's filter in the portal: the fund list names only the partner's funds."""

    fund = django_filters.ModelChoiceFilter(
        queryset=_own_funds,
        label=_("Fund"),
        empty_label=_("All"),
    )

    class Meta(RequestFilter.Meta):
        fields = ["q", "status", "fund"]
