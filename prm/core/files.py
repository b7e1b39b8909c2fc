"""Uploaded files: checked by what they are, not what they claim to be."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _

SIGNATURES = {
    "pdf": (b"%PDF-",),
    "png": (b"\x89PNG\r\n\x1a\n",),
    "jpeg": (b"\xff\xd8\xff",),
    "xlsx": (b"PK\x03\x04",),
}
CONTENT_TYPES = {
    "pdf": "application/pdf",
    "png": "image/png",
    "jpeg": "image/jpeg",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def sniff(upload: UploadedFile) -> str | None:
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    for kind, prefixes in SIGNATURES.items():
        if head.startswith(prefixes):
            return kind
    return None


def validate_upload(
    upload: UploadedFile,
    *,
    allowed: tuple[str, ...] = ("pdf", "png", "jpeg"),
    max_bytes: int = 10 * 1024 * 1024,
) -> str:
    """Return the detected kind, or raise a ValidationError the form shows at the field."""
    if upload.size is not None and upload.size > max_bytes:
        raise ValidationError(
            _("%(name)s is larger than %(mb)d MB.") % {"name": upload.name, "mb": max_bytes >> 20}
        )
    kind = sniff(upload)
    if kind not in allowed:
        raise ValidationError(
            _("%(name)s is not an allowed file type (%(allowed)s).")
            % {"name": upload.name, "allowed": ", ".join(a.upper() for a in allowed)}
        )
    return kind
