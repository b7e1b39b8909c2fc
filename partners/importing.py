"""Partner import from CSV / XLSX: every row is imported whole or rejected with its reasons."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from prm.accounts.models import User
from prm.accounts.roles import Role
from prm.core.spreadsheets import table_read

from .credit_code import normalize_credit_code, validate_credit_code
from .models import Partner, PartnerType
from .services import partner_create

COLUMNS = [
    "name", "name_en", "credit_code", "partner_type", "region", "city", "contact_name",
    "contact_phone", "channel_manager_email", "credit_limit", "payment_terms_days",
]  # fmt: skip
REQUIRED_COLUMNS = {"name", "region", "partner_type"}
# The export adds these (partners.exporting); an exported file imports back without them.
EXPORT_ONLY_COLUMNS = ("status", "tier")
MAX_ROWS = 5000
# People type the Chinese label in spreadsheets as often as the code.
TYPE_ALIASES = {
    "经销商": PartnerType.DEALER, "分销商": PartnerType.DISTRIBUTOR, "代理商": PartnerType.AGENT,
    "转售商": PartnerType.RESELLER, "服务伙伴": PartnerType.SERVICE,
}  # fmt: skip


class PartnerRowForm(forms.Form):
    name = forms.CharField(max_length=200, label=gettext_lazy("legal name"))
    name_en = forms.CharField(max_length=200, required=False)
    credit_code = forms.CharField(max_length=40, required=False)
    partner_type = forms.CharField(label=gettext_lazy("type"))
    region = forms.CharField(max_length=64, label=gettext_lazy("province / region"))
    city = forms.CharField(max_length=64, required=False)
    contact_name = forms.CharField(max_length=100, required=False)
    contact_phone = forms.CharField(max_length=32, required=False)
    channel_manager_email = forms.EmailField(required=False)
    credit_limit = forms.DecimalField(min_value=0, max_digits=18, decimal_places=2, required=False)
    payment_terms_days = forms.IntegerField(min_value=0, max_value=365, required=False)

    def clean_credit_code(self) -> str | None:
        code = normalize_credit_code(self.cleaned_data.get("credit_code") or "")
        if not code:
            return None
        validate_credit_code(code)
        return code

    def clean_partner_type(self) -> str:
        value = self.cleaned_data["partner_type"].strip()
        if value in TYPE_ALIASES:
            return TYPE_ALIASES[value]
        if value.lower() in PartnerType.values:
            return value.lower()
        raise ValidationError(
            _("Unknown partner type %(value)s; use one of %(choices)s.")
            % {"value": value, "choices": ", ".join(PartnerType.values)}
        )

    def clean_channel_manager_email(self) -> User | None:
        email = self.cleaned_data.get("channel_manager_email")
        if not email:
            return None
        manager = User.objects.filter(
            email__iexact=email, role=Role.CHANNEL_MANAGER, is_active=True
        ).first()
        if manager is None:
            raise ValidationError(
                _("No active channel manager has the email %(email)s.") % {"email": email}
            )
        return manager


@dataclass
class RejectedRow:
    row: int
    values: dict[str, str]
    reasons: list[str]


@dataclass
class ImportResult:
    imported: list[Partner] = field(default_factory=list)
    rejected: list[RejectedRow] = field(default_factory=list)
    file_errors: list[str] = field(default_factory=list)


def _reasons(error: ValidationError | forms.Form) -> list[str]:
    errors = error.errors if isinstance(error, forms.Form) else getattr(error, "message_dict", None)
    if not errors:
        return list(getattr(error, "messages", [str(error)]))
    return [f"{name}: {' '.join(str(m) for m in msgs)}" for name, msgs in errors.items()]


def partners_import(*, upload: UploadedFile, actor: Any) -> ImportResult:
    result = ImportResult()
    try:
        rows = table_read(
            upload,
            columns=COLUMNS,
            required=REQUIRED_COLUMNS,
            max_rows=MAX_ROWS,
            ignored=EXPORT_ONLY_COLUMNS,
        )
    except ValidationError as exc:
        result.file_errors.extend(exc.messages)
        return result
    seen_codes: dict[str, int] = {}
    for number, values in rows:
        form = PartnerRowForm({k: values.get(k, "") for k in COLUMNS})
        if not form.is_valid():
            result.rejected.append(RejectedRow(number, values, _reasons(form)))
            continue
        data = form.cleaned_data
        code = data["credit_code"]
        if code and code in seen_codes:
            result.rejected.append(
                RejectedRow(
                    number,
                    values,
                    [
                        _("credit_code: same code as row %(row)d of this file.")
                        % {"row": seen_codes[code]}
                    ],
                )
            )
            continue
        try:
            with transaction.atomic():
                partner = partner_create(
                    name=data["name"],
                    name_en=data["name_en"],
                    credit_code=code,
                    partner_type=data["partner_type"],
                    region=data["region"],
                    city=data["city"],
                    contact_name=data["contact_name"],
                    contact_phone=data["contact_phone"],
                    channel_manager=data["channel_manager_email"],
                    credit_limit=data["credit_limit"] or 0,
                    payment_terms_days=data["payment_terms_days"] or 0,
                    actor=actor,
                )
        except ValidationError as exc:
            result.rejected.append(RejectedRow(number, values, _reasons(exc)))
            continue
        if code:
            seen_codes[code] = number
        result.imported.append(partner)
    return result
