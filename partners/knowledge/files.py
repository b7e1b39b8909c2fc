"""Files attached to partner-facing content (an article's price sheet, an announcement's new
price list): PDF, PNG or JPEG, checked by what they contain and what they are named, stored under
a random name in the vendor's private media and served only through a view that first finds the
file through the reader's visibility (a file one may not see is a 404, never a 403)."""

from __future__ import annotations

import uuid
from pathlib import PurePath
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import models
from django.http import FileResponse
from django.utils.translation import gettext_lazy

from prm.core.files import CONTENT_TYPES, private_file_response, validate_upload

ALLOWED = ("pdf", "png", "jpeg")
MAX_BYTES = 20 * 1024 * 1024


def private_path(folder: str, owner_id: int | None, filename: str) -> str:
    # A random name: the original may name a customer, and paths must not be guessable.
    suffix = PurePath(filename).suffix.lower()[:10]
    return f"{folder}/{owner_id}/{uuid.uuid4().hex}{suffix}"


class Attachment(models.Model):
    """What every attached file records; each app adds the row it hangs on and `upload_to`."""

    original_name = models.CharField(gettext_lazy("file name"), max_length=200)
    content_type = models.CharField(gettext_lazy("content type"), max_length=100)
    size = models.PositiveIntegerField(gettext_lazy("size (bytes)"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=gettext_lazy("uploaded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(gettext_lazy("uploaded at"), auto_now_add=True)

    class Meta:
        abstract = True
        ordering = ["uploaded_at", "pk"]

    def __str__(self) -> str:
        return self.original_name


def check_attachment(upload: UploadedFile, *, field: str = "attachment") -> str:
    """The detected kind, or a ValidationError at `field`: a file must be a PDF, PNG or JPEG by
    content, named for what it is, and within the size limit."""
    try:
        return validate_upload(upload, allowed=ALLOWED, max_bytes=MAX_BYTES)
    except ValidationError as exc:
        raise ValidationError({field: exc.messages}) from exc


def attachment_fill(row: Any, upload: UploadedFile, *, kind: str, actor: Any) -> None:
    """Set the checked `upload` on an unsaved attachment row and store the file."""
    row.original_name = (upload.name or "")[:200]
    row.content_type = CONTENT_TYPES[kind]
    row.size = upload.size or 0
    row.uploaded_by = actor if getattr(actor, "is_authenticated", False) else None
    row.file.save(upload.name or "attachment", upload, save=False)
    row.save()


def attachment_response(row: Any | None) -> FileResponse:
    """`row` comes from the caller's visibility check (None: not found for this reader); images
    open in the browser, other files download."""
    return private_file_response(row, inline_images=True)
