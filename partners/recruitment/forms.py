from __future__ import annotations

from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from partners.credit_code import normalize_credit_code
from partners.models import Region
from prm.core.files import validate_upload

from .models import ApplicationDocument, PartnerApplication
from .selectors import cities, provinces
from .services import MAX_DOCUMENT_BYTES, MAX_DOCUMENTS, Upload


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input; each is checked like a single upload."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png"}))
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        files = data if isinstance(data, list | tuple) else ([data] if data else [])
        if self.required and not files:
            raise ValidationError(self.error_messages["required"], code="required")
        single = super().clean
        return [single(f, initial) for f in files]


def _checked(upload: Any) -> Any:
    validate_upload(upload, max_bytes=MAX_DOCUMENT_BYTES)
    return upload


FILE_HELP = _("PDF, JPEG or PNG, at most 10 MB each; 5 files in all.")


class JoinForm(forms.ModelForm):
    business_license = forms.FileField(
        label=_("Business licence"),
        help_text=FILE_HELP,
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png"}),
    )
    qualifications = MultipleFileField(label=_("Qualifications"), required=False)
    other_documents = MultipleFileField(label=_("Other documents"), required=False)

    class Meta:
        model = PartnerApplication
        fields = [
            "legal_name",
            "name_en",
            "credit_code",
            "partner_type",
            "province",
            "city",
            "business_scope",
            "address",
            "contact_name",
            "contact_phone",
            "contact_email",
        ]
        widgets = {"business_scope": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._choice("province").queryset = provinces()
        self._choice("city").queryset = cities()
        for field in self.fields.values():
            widget = field.widget
            css = "form-select" if isinstance(widget, forms.Select) else "form-control"
            widget.attrs.setdefault("class", css)

    def _choice(self, name: str) -> forms.ModelChoiceField:
        return cast(forms.ModelChoiceField, self.fields[name])

    def city_groups(self) -> list[tuple[Region, list[Region]]]:
        """Cities grouped under their province for the <optgroup>s of the city select."""
        groups: dict[int, tuple[Region, list[Region]]] = {}
        for city in self._choice("city").queryset or []:
            if city.parent is not None:
                groups.setdefault(city.parent_id, (city.parent, []))[1].append(city)
        return list(groups.values())

    def clean_credit_code(self) -> str:
        return normalize_credit_code(self.cleaned_data.get("credit_code") or "")

    def clean_business_license(self) -> Any:
        return _checked(self.cleaned_data["business_license"])

    def clean_qualifications(self) -> list[Any]:
        return [_checked(f) for f in self.cleaned_data.get("qualifications") or []]

    def clean_other_documents(self) -> list[Any]:
        return [_checked(f) for f in self.cleaned_data.get("other_documents") or []]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        province, city = data.get("province"), data.get("city")
        if province and city and city.parent_id != province.pk:
            self.add_error("city", _("This city is not in the chosen province."))
        if len(self.uploads()) > MAX_DOCUMENTS:
            self.add_error(
                "other_documents", _("Attach at most %(n)d files.") % {"n": MAX_DOCUMENTS}
            )
        return data

    def uploads(self) -> list[Upload]:
        data = getattr(self, "cleaned_data", {})
        kinds = ApplicationDocument.Kind
        licence = data.get("business_license")
        uploads = [Upload(kinds.BUSINESS_LICENSE, licence)] if licence else []
        uploads += [Upload(kinds.QUALIFICATION, f) for f in data.get("qualifications") or []]
        uploads += [Upload(kinds.OTHER, f) for f in data.get("other_documents") or []]
        return uploads

    def application_data(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class RejectForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason (sent to the applicant)"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
