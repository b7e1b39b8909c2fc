"""Forms of the lead pages; the services in `deal_registration.leads` check everything again."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from partners.models import Partner, Region

from .leads import (
    REASON_MAX,
)
from .models import Lead


class RegionChoiceField(forms.ModelChoiceField):
    """Cities read with their province: "浙江 · 杭州"."""

    def label_from_instance(self, obj: Any) -> str:
        if obj.parent_id and obj.parent:
            return f"{obj.parent.display_name} · {obj.display_name}"
        return str(obj.display_name)


class LeadForm(forms.ModelForm):
    route_now = forms.BooleanField(
        label=_("Offer it to the best partner now"),
        required=False,
        initial=True,
        help_text=_("Otherwise the lead waits as new until you route it."),
    )

    class Meta:
        model = Lead
        fields = [
            "company_name",
            "region",
            "industry",
            "product_line",
            "contact_name",
            "contact_phone",
            "contact_email",
            "estimated_amount",
            "need",
            "source",
        ]
        field_classes = {"region": RegionChoiceField}
        widgets = {"need": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        region: forms.ModelChoiceField = self.fields["region"]  # type: ignore[assignment]
        region.queryset = Region.objects.select_related("parent").order_by("code")
        # A raw lead often has no figure yet: empty means 0.
        self.fields["estimated_amount"].required = False

    def clean_estimated_amount(self) -> Decimal:
        value = self.cleaned_data.get("estimated_amount")
        return Decimal("0") if value is None else value


class LeadOfferForm(forms.Form):
    """The vendor's own choice; the page lists the eligible partners, the service re-checks."""

    partner = forms.ModelChoiceField(
        label=_("Partner"),
        queryset=Partner.objects.all(),
        error_messages={"required": _("Choose the partner to offer the lead to.")},
    )


OUTCOMES = [
    ("won", _("Won: the customer bought")),
    ("lost", _("Lost")),
    ("closed", _("Close without an outcome")),
]


class LeadCloseForm(forms.Form):
    outcome = forms.ChoiceField(label=_("Outcome"), choices=OUTCOMES)
    reason = forms.CharField(label=_("Note"), max_length=REASON_MAX, required=False)

    @property
    def won(self) -> bool | None:
        return {"won": True, "lost": False}.get(self.cleaned_data["outcome"])


class LeadDeclineForm(forms.Form):
    reason = forms.CharField(
        label=_("Why do you decline?"),
        max_length=REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("Say why you decline the lead.")},
    )
