"""The vendor's answer to "what does partner X pay for SKU Y today, and why"."""

from __future__ import annotations

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from partners.models import Partner
from partners.selectors import partners_visible_to
from prm.accounts.access import vendor_required
from prm.core.widgets import DateInput

from .models import Product
from .pricing import price_explain, price_for


class PriceQuestionForm(forms.Form):
    partner = forms.ModelChoiceField(label=_("Partner"), queryset=Partner.objects.none())
    sku = forms.CharField(label=_("SKU"), max_length=64)
    quantity = forms.IntegerField(label=_("Quantity"), min_value=1, initial=1)
    on = forms.DateField(label=_("On"), widget=DateInput())

    def __init__(self, *args: object, user: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        partner_field: forms.ModelChoiceField = self.fields["partner"]  # type: ignore[assignment]
        partner_field.queryset = partners_visible_to(user).order_by("name")
        self.fields["on"].initial = timezone.localdate()

    def clean_sku(self) -> Product:
        product = Product.objects.filter(sku__iexact=self.cleaned_data["sku"].strip()).first()
        if product is None:
            raise forms.ValidationError(_("No product has this SKU."))
        return product


@vendor_required
def price_explain_view(request: HttpRequest) -> HttpResponse:
    form = PriceQuestionForm(request.GET or None, user=request.user)
    answer = candidates = None
    if form.is_valid():
        data = form.cleaned_data
        args = {
            "partner": data["partner"],
            "product": data["sku"],
            "quantity": data["quantity"],
            "on": data["on"],
        }
        answer = price_for(**args)
        candidates = price_explain(**args)
    return render(
        request,
        "orders/price_explain.html",
        {"form": form, "answer": answer, "candidates": candidates},
    )
