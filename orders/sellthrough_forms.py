"""Forms of the sell-out and channel stock pages; `orders.sellthrough` checks everything again."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from partners.models import Partner, ProductLine
from prm.core.files import validate_upload
from prm.core.widgets import DateInput

from .models import Product
from .sellthrough import COLUMNS
from .sellthrough_metrics import WINDOW_CHOICES

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
WINDOW_LABELS = {30: _("30 days"), 90: _("90 days"), 180: _("180 days")}


class _MonthInput(forms.DateInput):
    input_type = "month"


class _ProductChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.sku} · {obj.display_name}"


class SellOutForm(forms.Form):
    product = _ProductChoiceField(label=_("Product"), queryset=Product.objects.none())
    sold_on = forms.DateField(label=_("Sold on"), widget=DateInput)
    quantity = forms.IntegerField(label=_("Quantity"), min_value=1)
    end_customer = forms.CharField(label=_("End customer"), max_length=200)
    province = forms.CharField(
        label=_("Province"),
        max_length=64,
        widget=forms.TextInput(attrs={"list": "province-names"}),
    )
    city = forms.CharField(label=_("City"), max_length=64, required=False)

    def __init__(self, *args: Any, products: QuerySet[Product], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        product_field: forms.ModelChoiceField = self.fields["product"]  # type: ignore[assignment]
        product_field.queryset = products
        self.fields["sold_on"].initial = timezone.localdate()


class SellOutImportForm(forms.Form):
    file = forms.FileField(
        label=_("CSV or XLSX file"),
        help_text=format_lazy("{}: {}", _("Columns"), ", ".join(COLUMNS)),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx"}),
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        name = upload.name.lower()
        if name.endswith(".xlsx"):
            validate_upload(upload, allowed=("xlsx",), max_bytes=MAX_UPLOAD_BYTES)
        elif not name.endswith(".csv"):
            raise forms.ValidationError(_("Upload a .csv or .xlsx file."))
        elif upload.size and upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(_("The file is larger than 5 MB."))
        return upload


def quantity_field_name(product: Product) -> str:
    return f"qty_{product.pk}"


class ChannelStockForm(forms.Form):
    """The month and one quantity per product; an empty quantity means none on hand."""

    month = forms.DateField(
        label=_("Month"),
        input_formats=["%Y-%m"],
        widget=_MonthInput(format="%Y-%m"),
        help_text=_("Your stock at the end of this month."),
    )

    def __init__(
        self,
        *args: Any,
        products: Iterable[Product],
        current: Mapping[int, int] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.products = list(products)
        current = current or {}
        for product in self.products:
            self.fields[quantity_field_name(product)] = forms.IntegerField(
                label=product.sku,
                min_value=0,
                required=False,
                initial=current.get(product.pk),
                widget=forms.NumberInput(attrs={"min": 0, "step": 1}),
            )

    def rows(self) -> list[tuple[Product, forms.BoundField]]:
        return [(product, self[quantity_field_name(product)]) for product in self.products]

    def quantities(self) -> dict[Product, int]:
        return {
            product: self.cleaned_data.get(quantity_field_name(product)) or 0
            for product in self.products
        }


class ChannelMetricsForm(forms.Form):
    """The filters of the vendor's sell-through table (not a FilterSet: rows are computed)."""

    partner = forms.ModelChoiceField(
        label=_("Partner"), queryset=Partner.objects.none(), required=False, empty_label=_("All")
    )
    product_line = forms.ModelChoiceField(
        label=_("Product line"),
        queryset=ProductLine.objects.all(),
        required=False,
        empty_label=_("All"),
    )
    days = forms.TypedChoiceField(
        label=_("Window"),
        choices=[(str(n), WINDOW_LABELS[n]) for n in WINDOW_CHOICES],
        coerce=int,
        required=False,
        empty_value=None,
    )

    def __init__(self, *args: Any, partners: QuerySet[Partner], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        partner_field: forms.ModelChoiceField = self.fields["partner"]  # type: ignore[assignment]
        partner_field.queryset = partners


def month_value(day: dt.date) -> str:
    return f"{day:%Y-%m}"
