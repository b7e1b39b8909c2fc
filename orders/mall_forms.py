from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class QuickOrderForm(forms.Form):
    sku = forms.CharField(label=_("SKU"), max_length=64)
    quantity = forms.IntegerField(label=_("Quantity"), min_value=1, initial=1)


class UploadForm(forms.Form):
    file = forms.FileField(
        label=_("CSV of order lines"),
        help_text=_("Two columns with a header row: sku,quantity (UTF-8 or GB18030)."),
    )


class CheckoutForm(forms.Form):
    use_rebate = forms.BooleanField(label=_("Pay with rebate credit"), required=False, initial=True)
    use_prepaid = forms.BooleanField(
        label=_("Pay from the prepaid wallet"), required=False, initial=True
    )
    ship_to = forms.CharField(label=_("Ship to"), max_length=300)
    note = forms.CharField(
        label=_("Note to the order desk"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
