from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from partners.models import Partner
from prm.core.money import MAX_DIGITS
from prm.core.widgets import DateInput

from .models import AgreementTemplate
from .selectors import templates_for
from .services import CONSENT_TEXT

_DATE = DateInput()


class AgreementTermsForm(forms.Form):
    term_start = forms.DateField(label=_("Term start"), widget=_DATE)
    term_end = forms.DateField(
        label=_("Term end"),
        required=False,
        widget=_DATE,
        help_text=_("Empty: the template's default term."),
    )
    purchase_target = forms.DecimalField(
        label=_("Annual purchase target"),
        min_value=0,
        max_digits=MAX_DIGITS,
        decimal_places=2,
        initial=0,
    )
    incentive_terms = forms.CharField(
        label=_("Incentive terms"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("term_start"), data.get("term_end")
        if start and end and end < start:
            self.add_error("term_end", _("The term must end on or after its start."))
        return data


class AgreementCreateForm(AgreementTermsForm):
    template = forms.ModelChoiceField(
        label=_("Template"), queryset=AgreementTemplate.objects.none()
    )
    territory = forms.CharField(
        label=_("Territory"),
        required=False,
        max_length=500,
        help_text=_("Empty: the partner's territories."),
    )
    field_order = ["template", "term_start", "term_end", "territory", "purchase_target"]

    def __init__(self, *args: Any, partner: Partner, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        template_field: forms.ModelChoiceField = self.fields["template"]  # type: ignore[assignment]
        template_field.queryset = templates_for(partner)
        self.fields["term_start"].initial = timezone.localdate()


class AgreementSignForm(forms.Form):
    typed_name = forms.CharField(label=_("Type your full name"), max_length=100)
    # The exact words recorded with the signature, in both languages.
    consent = forms.BooleanField(label=CONSENT_TEXT, required=False)
    document_sha256 = forms.CharField(widget=forms.HiddenInput, max_length=64)


class AgreementVoidForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=500)
