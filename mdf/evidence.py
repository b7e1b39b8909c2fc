"""Uploading proof of performance: the partner's own request, while it is approved; the file
must be what its name says (the content's signature matches the extension), within the size
limit, and of a kind we accept (PDF, PNG, JPEG, XLSX): executables and anything else are refused
at the field, and nothing is saved."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from prm.accounts.access import active_user
from prm.core.files import CONTENT_TYPES, validate_upload

from .models import EvidenceKind, MdfEvidence, MdfRequest, RequestStatus

ALLOWED = ("pdf", "png", "jpeg", "xlsx")
MAX_BYTES = 20 * 1024 * 1024


def check_evidence_file(upload: UploadedFile) -> str:
    """The detected kind, or a ValidationError for the `file` field. prm.core.files checks the
    content against the name, opens images and looks through workbooks (macros, executables,
    zip bombs)."""
    try:
        return validate_upload(upload, allowed=ALLOWED, max_bytes=MAX_BYTES)
    except ValidationError as exc:
        raise ValidationError({"file": exc.messages}) from exc


@transaction.atomic
def evidence_add(
    request: MdfRequest, upload: UploadedFile, *, kind: str, user: Any, note: str = ""
) -> MdfEvidence:
    if not (active_user(user) and user.is_partner_user and user.partner_id == request.partner_id):
        raise PermissionDenied
    # The row's status, not the caller's copy: it may have been cancelled or lapsed meanwhile.
    status = (
        MdfRequest.objects.select_for_update()
        .filter(pk=request.pk)
        .values_list("status", flat=True)
        .first()
    )
    if status != RequestStatus.APPROVED:
        raise ValidationError(_("Proof is uploaded for approved requests."))
    if request.claims.live().exists():
        # The claim was judged on this proof; what it was judged on does not change.
        raise ValidationError(_("The request is claimed; its proof can no longer change."))
    if kind not in EvidenceKind.values:
        raise ValidationError({"kind": _("Choose what the file shows.")})
    detected = check_evidence_file(upload)
    evidence = MdfEvidence(
        request=request,
        kind=kind,
        original_name=(upload.name or "")[:200],
        content_type=CONTENT_TYPES[detected],
        size=upload.size or 0,
        note=(note or "").strip()[:200],
        uploaded_by=user,
    )
    evidence.file.save(upload.name or "evidence", upload, save=False)
    evidence.save()
    return evidence


def evidence_missing(request: MdfRequest) -> list[str]:
    """The evidence kinds the activity type requires that have no file yet."""
    have = set(MdfEvidence.objects.filter(request=request).values_list("kind", flat=True))
    return [kind for kind in request.activity_type.required_evidence if kind not in have]
