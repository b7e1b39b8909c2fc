"""Forms of the wallet and finance pages; the services in `orders.ledger` check everything again."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from partners.models import Partner
from prm.core.files import validate_upload
from prm.core.money import DECIMAL_PLACES, MAX_DIGITS
from prm.core.widgets import DateInput

from .models import PaymentMethod

_DATE = DateInput()


def _amount_field(label: Any) -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        min_value=Decimal("0.01"),
        max_digits=MAX_DIGITS,
        decimal_places=DECIMAL_PLACES,
    )


class TopUpForm(forms.Form):
    amount = _amount_field(_("Amount transferred"))
    transferred_on = forms.DateField(label=_("Transferred on"), widget=_DATE)
    bank_reference = forms.CharField(
        label=_("Bank reference"),
        max_length=64,
        required=False,
        help_text=_("The transaction number on your bank slip, so finance can find the money."),
    )
    proof = forms.FileField(
        label=_("Proof of transfer"),
        help_text=_("Bank slip or screenshot: PDF, PNG or JPEG, at most 10 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.png,.jpg,.jpeg"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["transferred_on"].initial = timezone.localdate()

    def clean_proof(self) -> UploadedFile:
        proof: UploadedFile = self.cleaned_data["proof"]
        validate_upload(proof)
        return proof


class TopUpRejectForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=500)


class PaymentForm(forms.Form):
    partner = forms.ModelChoiceField(label=_("Partner"), queryset=Partner.objects.none())
    amount = _amount_field(_("Amount received"))
    received_on = forms.DateField(label=_("Received on"), widget=_DATE)
    method = forms.ChoiceField(
        label=_("Method"), choices=PaymentMethod.choices, initial=PaymentMethod.BANK_TRANSFER
    )
    reference = forms.CharField(
        label=_("Reference"),
        max_length=64,
        required=False,
        help_text=_("Bank slip or ERP voucher number."),
    )

    def __init__(self, *args: Any, partners: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        partner_field: forms.ModelChoiceField = self.fields["partner"]  # type: ignore[assignment]
        partner_field.queryset = partners
        self.fields["received_on"].initial = timezone.localdate()
