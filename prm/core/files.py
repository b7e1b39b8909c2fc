"""Uploaded files: checked by what they are, not what they claim to be."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.http import FileResponse, Http404
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


def private_file_response(row: Any | None, *, inline_images: bool = False) -> FileResponse:
    """Serve an uploaded file row (`file`, `original_name`, `content_type`) that the caller found
    through its visibility check; None (not found for this reader) or a missing file is a 404.
    Never kept by a shared cache, never sniffed into another type by the browser."""
    if row is None or not row.file:
        raise Http404
    try:
        handle = row.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(
        handle,
        as_attachment=not (inline_images and row.content_type.startswith("image/")),
        filename=row.original_name or row.file.name.rsplit("/", 1)[-1],
        content_type=row.content_type,
    )
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response
