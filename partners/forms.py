from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from prm.accounts.roles import Role
from prm.core.files import validate_upload
from prm.core.widgets import DateInput

from .models import PARTNER_TRANSITIONS, Partner, PartnerStatus, Qualification


class StatusChangeForm(forms.Form):
    status = forms.ChoiceField(label=_("New status"))
    reason = forms.CharField(
        label=_("Reason"), max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, partner: Partner, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        allowed = PARTNER_TRANSITIONS.get(partner.status, set())
        status_field: forms.ChoiceField = self.fields["status"]  # type: ignore[assignment]
        status_field.choices = [
            (value, label) for value, label in PartnerStatus.choices if value in allowed
        ]


class QualificationForm(forms.ModelForm):
    class Meta:
        model = Qualification
        fields = ["kind", "number", "issued_on", "expires_on", "document"]
        widgets = {
            "issued_on": DateInput(),
            "expires_on": DateInput(),
        }

    def clean_document(self) -> Any:
        document = self.cleaned_data.get("document")
        if document and hasattr(document, "content_type"):
            validate_upload(document)
        return document

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        issued, expires = data.get("issued_on"), data.get("expires_on")
        if issued and expires and expires <= issued:
            self.add_error("expires_on", _("The expiry date must be after the issue date."))
        return data


PARTNER_ROLE_CHOICES = [
    (Role.PARTNER_USER.value, Role.PARTNER_USER.label),
    (Role.PARTNER_ADMIN.value, Role.PARTNER_ADMIN.label),
]


class PartnerUserInviteForm(forms.Form):
    full_name = forms.CharField(label=_("Full name"), max_length=150)
    email = forms.EmailField(label=_("Email"))
    role = forms.ChoiceField(label=_("Role"), choices=PARTNER_ROLE_CHOICES)


class PartnerUserUpdateForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=PARTNER_ROLE_CHOICES)
    is_active = forms.BooleanField(label=_("Active"), required=False)


class PartnerImportForm(forms.Form):
    file = forms.FileField(
        label=_("CSV or XLSX file"),
        help_text=_(
            "Columns: name, name_en, credit_code, partner_type, region, city, "
            "contact_name, contact_phone, channel_manager_email, credit_limit, "
            "payment_terms_days"
        ),
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        name = upload.name.lower()
        if name.endswith(".xlsx"):
            validate_upload(upload, allowed=("xlsx",), max_bytes=5 * 1024 * 1024)
        elif not name.endswith(".csv"):
            raise forms.ValidationError(_("Upload a .csv or .xlsx file."))
        elif upload.size and upload.size > 5 * 1024 * 1024:
            raise forms.ValidationError(_("The file is larger than 5 MB."))
        return upload


class PartnerProfileForm(forms.ModelForm):
    """The fields the signed-in role may edit (see partners.services.partner_editable_fields)."""

    class Meta:
        model = Partner
        fields = [
            "name_en",
            "partner_type",
            "region",
            "city",
            "address",
            "business_scope",
            "contact_name",
            "contact_phone",
            "channel_manager",
            "territories",
            "product_lines",
            "credit_limit",
            "payment_terms_days",
        ]
        widgets = {
            "business_scope": forms.Textarea(attrs={"rows": 2}),
            "territories": forms.SelectMultiple(attrs={"size": 8}),
            "product_lines": forms.SelectMultiple(attrs={"size": 4}),
        }

    def __init__(self, *args: Any, editable: tuple[str, ...], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in list(self.fields):
            if name not in editable:
                del self.fields[name]

    def clean_credit_limit(self) -> Any:
        value = self.cleaned_data.get("credit_limit")
        if value is not None and value < 0:
            raise forms.ValidationError(_("The credit limit cannot be negative."))
        return value
