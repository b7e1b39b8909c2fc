"""Files on a ticket: PDF, PNG or JPEG, checked by content (prm.core.files), at most
MAX_FILES per message of at most MAX_BYTES each. Stored under random names in the vendor's
private media and served only by partners.support.downloads."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _

from prm.core.files import CONTENT_TYPES, validate_upload

from .models import Ticket, TicketAttachment, TicketMessage

ALLOWED = ("pdf", "png", "jpeg")
MAX_BYTES = 10 * 1024 * 1024
MAX_FILES = 5


def attachments_check(uploads: Sequence[UploadedFile]) -> list[str]:
    """The detected kind of each file, or a ValidationError for the `attachments` field naming
    every file refused and why."""
    if len(uploads) > MAX_FILES:
        raise ValidationError(
            {"attachments": _("Attach at most %(n)d files at a time.") % {"n": MAX_FILES}}
        )
    kinds, errors = [], []
    for upload in uploads:
        try:
            kinds.append(validate_upload(upload, allowed=ALLOWED, max_bytes=MAX_BYTES))
        except ValidationError as exc:
            errors.extend(exc.messages)
    if errors:
        raise ValidationError({"attachments": errors})
    return kinds


def attachments_save(
    ticket: Ticket,
    uploads: Sequence[UploadedFile],
    kinds: Sequence[str],
    *,
    user: Any,
    message: TicketMessage | None = None,
) -> list[TicketAttachment]:
    """Store files already checked by `attachments_check`; the caller's transaction holds."""
    saved = []
    for upload, kind in zip(uploads, kinds, strict=True):
        attachment = TicketAttachment(
            ticket=ticket,
            message=message,
            original_name=(upload.name or "file")[:200],
            content_type=CONTENT_TYPES[kind],
            size=upload.size or 0,
            uploaded_by=user if getattr(user, "is_authenticated", False) else None,
        )
        attachment.file.save(upload.name or "file", upload, save=False)
        attachment.save()
        saved.append(attachment)
    return saved
