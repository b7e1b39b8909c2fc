"""Purchase targets from CSV / XLSX: one row per partner and quarter, set or replaced.

Columns: `partner` (the unified social credit code, or the exact legal or English name),
`year`, `quarter` (1-4, or Q1-Q4) and `amount`. Each valid row is saved whole (with its audit
entry); every rejected row is listed with its reasons. The importer only reaches the partners
it sees (a channel manager: his own), so a row for anyone else is rejected as unknown.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from partners.credit_code import normalize_credit_code
from partners.importing import RejectedRow
from partners.models import Partner
from partners.selectors import partners_visible_to
from prm.accounts.roles import Role
from prm.core.files import validate_upload
from prm.core.spreadsheets import table_read

from .models import SalesTarget

COLUMNS = ["partner", "year", "quarter", "amount"]
MAX_ROWS = 5000
MAX_BYTES = 5 * 1024 * 1024


def targets_can_import(user: Any) -> bool:
    return bool(
        getattr(user, "is_authenticated", False)
        and user.is_active
        and user.role in (Role.ADMIN, Role.CHANNEL_MANAGER)
    )


class TargetUploadForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("CSV or XLSX file"))

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        name = upload.name.lower()
        if name.endswith(".xlsx"):
            validate_upload(upload, allowed=("xlsx",), max_bytes=MAX_BYTES)
        elif not name.endswith(".csv"):
            raise forms.ValidationError(_("Upload a .csv or .xlsx file."))
        elif upload.size and upload.size > MAX_BYTES:
            raise forms.ValidationError(_("The file is larger than 5 MB."))
        return upload


class TargetRowForm(forms.Form):
    partner = forms.CharField(max_length=200, label=gettext_lazy("partner"))
    year = forms.IntegerField(min_value=2000, max_value=2100, label=gettext_lazy("year"))
    quarter = forms.CharField(max_length=2, label=gettext_lazy("quarter"))
    amount = forms.DecimalField(
        min_value=Decimal(0), max_digits=18, decimal_places=2, label=gettext_lazy("amount")
    )

    def clean_quarter(self) -> int:
        value = self.cleaned_data["quarter"].strip().upper().removeprefix("Q")
        if value not in ("1", "2", "3", "4"):
            raise ValidationError(_("A quarter is 1, 2, 3 or 4."))
        return int(value)


@dataclass
class TargetImport:
    saved: list[SalesTarget] = field(default_factory=list)
    rejected: list[RejectedRow] = field(default_factory=list)
    file_errors: list[str] = field(default_factory=list)


def _reasons(form: forms.Form) -> list[str]:
    return [
        f"{form.fields[name].label if name in form.fields else name}: "
        + " ".join(str(e) for e in errors)
        for name, errors in form.errors.items()
    ]


def _partner(visible: Any, value: str) -> tuple[Partner | None, str]:
    """The partner a cell names, or None and why not."""
    code = normalize_credit_code(value)
    found = list(visible.filter(credit_code=code)[:2]) if len(code) == 18 else []
    if not found:
        found = list(visible.filter(Q(name=value.strip()) | Q(name_en=value.strip()))[:2])
    if len(found) == 1:
        return found[0], ""
    if found:
        return None, _("partner: %(value)s names more than one partner; use its credit code.") % {
            "value": value
        }
    return None, _("partner: no partner you manage is called %(value)s.") % {"value": value}


def targets_import(*, upload: UploadedFile, actor: Any, file_name: str = "") -> TargetImport:
    result = TargetImport()
    try:
        rows = table_read(upload, columns=COLUMNS, required=COLUMNS, max_rows=MAX_ROWS)
    except ValidationError as exc:
        result.file_errors.extend(exc.messages)
        return result
    visible = partners_visible_to(actor).order_by()
    seen: dict[tuple[int, int, int], int] = {}
    reason = _("Imported from %(file)s") % {"file": file_name or upload.name}
    for number, values in rows:
        form = TargetRowForm({k: values.get(k, "") for k in COLUMNS})
        if not form.is_valid():
            result.rejected.append(RejectedRow(number, values, _reasons(form)))
            continue
        data = form.cleaned_data
        partner, why = _partner(visible, data["partner"])
        if partner is None:
            result.rejected.append(RejectedRow(number, values, [why]))
            continue
        key = (partner.pk, data["year"], data["quarter"])
        if key in seen:
            result.rejected.append(
                RejectedRow(
                    number,
                    values,
                    [_("Same partner and quarter as row %(row)d.") % {"row": seen[key]}],
                )
            )
            continue
        seen[key] = number
        result.saved.append(
            target_set(
                partner=partner,
                year=data["year"],
                quarter=data["quarter"],
                amount=data["amount"],
                reason=reason,
            )
        )
    return result


def _locked(partner: Partner, year: int, quarter: int) -> SalesTarget | None:
    return (
        SalesTarget.objects.select_for_update()
        .filter(partner=partner, year=year, quarter=quarter)
        .first()
    )


@transaction.atomic
def target_set(
    *, partner: Partner, year: int, quarter: int, amount: Decimal, reason: str = ""
) -> SalesTarget:
    """Set the partner's target for the quarter (a new row, or the amount of the existing one);
    the audit entry records the change and `reason`."""
    target = _locked(partner, year, quarter)
    if target is None:
        target = SalesTarget(partner=partner, year=year, quarter=quarter, amount=amount)
        target._audit_reason = reason  # type: ignore[attr-defined]
        target.full_clean(validate_constraints=False)
        try:
            with transaction.atomic():
                target.save()
            return target
        except IntegrityError:  # someone else created it meanwhile: change theirs
            target = _locked(partner, year, quarter)
            assert target is not None
    if target.amount == amount:
        return target
    target.amount = amount
    target._audit_reason = reason  # type: ignore[attr-defined]
    target.full_clean(validate_constraints=False)
    target.save()
    return target
