"""Forms of the deal-registration pages; the services check everything again."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from orders.models import Order, Product
from partners.credit_code import normalize_credit_code
from partners.models import Partner, ProductLine
from prm.accounts.models import User
from prm.core.widgets import DateInput

from .models import ActivityKind, DealActivity, DealRegistration, DealStage, TeamRole
from .registrations import PAST_CLOSE_DATE, REASON_MAX, close_date_in_past

DATE = DateInput()

CHECKED_FIELDS = (
    "customer_name",
    "credit_code",
    "website",
    "contact_email",
    "phone",
    "contact_phone",
)


class RegistrationForm(forms.ModelForm):
    class Meta:
        model = DealRegistration
        fields = [
            "customer_name",
            "credit_code",
            "region",
            "industry",
            "address",
            "website",
            "phone",
            "contact_name",
            "contact_title",
            "contact_phone",
            "contact_email",
            "title",
            "product_line",
            "products",
            "estimated_amount",
            "expected_close_date",
            "stage",
            "description",
        ]
        widgets = {
            "expected_close_date": DATE,
            "description": forms.Textarea(attrs={"rows": 3}),
            "products": forms.SelectMultiple(attrs={"size": 5}),
        }

    def __init__(self, *args: Any, partner: Partner, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        lines = partner.product_lines.all()
        # A partner authorized for some lines registers within them; one without any, anywhere.
        allowed = lines if lines.exists() else ProductLine.objects.all()
        products = Product.objects.filter(is_active=True).order_by("sku")
        self.fields["product_line"].queryset = allowed  # type: ignore[attr-defined]
        self.fields["products"].queryset = products  # type: ignore[attr-defined]
        self.fields["estimated_amount"].required = True
        if self.instance.pk is None and "estimated_amount" not in self.initial:
            self.initial["estimated_amount"] = None  # an estimate to type, not a 0 to overwrite
        # The live conflict check listens to the fields it matches on.
        for name in CHECKED_FIELDS:
            self.fields[name].widget.attrs.update(
                {
                    "hx-get": "check/",
                    "hx-trigger": "input changed delay:400ms, change",
                    "hx-target": "#conflict-check",
                    "hx-include": "closest form",
                }
            )

    def clean_credit_code(self) -> str:
        return normalize_credit_code(self.cleaned_data.get("credit_code") or "")

    def clean_expected_close_date(self) -> Any:
        value = self.cleaned_data.get("expected_close_date")
        if close_date_in_past(value):
            raise forms.ValidationError(PAST_CLOSE_DATE)
        return value

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        line, products = cleaned.get("product_line"), cleaned.get("products")
        if line is not None and products:
            outside = [p.sku for p in products if p.product_line_id != line.pk]
            if outside:
                self.add_error(
                    "products",
                    _("Not in the chosen product line: %(skus)s.") % {"skus": ", ".join(outside)},
                )
        return cleaned


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
    )


class CloseForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("Outcome"), choices=[("won", _("Won")), ("lost", _("Lost"))]
    )
    reason = forms.CharField(
        label=_("Note"),
        max_length=REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        help_text=_("Required for a lost deal: why it was lost."),
    )
    orders = forms.ModelMultipleChoiceField(
        label=_("Orders that fulfil it"), queryset=Order.objects.none(), required=False
    )

    def __init__(self, *args: Any, registration: DealRegistration, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["orders"].queryset = Order.objects.filter(  # type: ignore[attr-defined]
            partner_id=registration.partner_id
        ).order_by("-pk")


class LinkOrdersForm(forms.Form):
    orders = forms.ModelMultipleChoiceField(label=_("Orders"), queryset=Order.objects.none())

    def __init__(self, *args: Any, registration: DealRegistration, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["orders"].queryset = Order.objects.filter(  # type: ignore[attr-defined]
            partner_id=registration.partner_id
        ).order_by("-pk")


class ExtensionForm(forms.Form):
    days = forms.IntegerField(label=_("Extra days"), min_value=1, max_value=365)
    reason = forms.CharField(
        label=_("Why"), max_length=REASON_MAX, widget=forms.Textarea(attrs={"rows": 2})
    )


class ActivityForm(forms.ModelForm):
    class Meta:
        model = DealActivity
        fields = ["kind", "occurred_on", "body", "attachment", "next_step", "next_step_due"]
        widgets = {
            "occurred_on": DATE,
            "next_step_due": DATE,
            "body": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].initial = ActivityKind.NOTE


class StageForm(forms.Form):
    stage = forms.ChoiceField(label=_("Stage"), choices=DealStage.choices)
    estimated_amount = forms.DecimalField(
        label=_("Estimated amount"), min_value=0, max_digits=14, decimal_places=2
    )
    expected_close_date = forms.DateField(label=_("Expected close date"), widget=DATE)

    def clean_expected_close_date(self) -> Any:
        value = self.cleaned_data.get("expected_close_date")
        if close_date_in_past(value):
            raise forms.ValidationError(PAST_CLOSE_DATE)
        return value


class TeamForm(forms.Form):
    user = forms.ModelChoiceField(
        label=_("Vendor staff"),
        queryset=User.objects.filter(partner=None, is_active=True).order_by("full_name", "email"),
    )
    role = forms.ChoiceField(label=_("Role"), choices=TeamRole.choices)
