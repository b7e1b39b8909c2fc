"""Files on a ticket: PDF, PNG or JPEG, checked by content (prm.core.files), at most
MAX_FILES per message of at most MAX_BYTES each. Stored under random names in the vendor's
private media and served only by partners.support.downloads.

Storage is not transactional: a service that stores files is wrapped in
`discard_files_on_failure`, which deletes what it stored when the service fails (its
transaction is rolled back, the files would stay)."""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from contextvars import ContextVar
from typing import Any, ParamSpec, TypeVar

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _

from prm.core.files import CONTENT_TYPES, validate_upload

from .models import Ticket, TicketAttachment, TicketMessage

ALLOWED = ("pdf", "png", "jpeg")
MAX_BYTES = 10 * 1024 * 1024
MAX_FILES = 5

P = ParamSpec("P")
R = TypeVar("R")
# (storage, name) of every file stored by the service running now; None outside one.
_stored: ContextVar[list[tuple[Any, str]] | None] = ContextVar("support_stored", default=None)


def discard_files_on_failure(service: Callable[P, R]) -> Callable[P, R]:
    """Delete the files `service` stored if it raises, its commit included: put it outside
    `transaction.atomic`. Files of a service called inside another are the outer one's."""

    @functools.wraps(service)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        outer = _stored.get()
        stored: list[tuple[Any, str]] = []
        token = _stored.set(stored)
        try:
            result = service(*args, **kwargs)
        except BaseException:
            for storage, name in stored:
                storage.delete(name)
            raise
        finally:
            _stored.reset(token)
        if outer is not None:
            outer.extend(stored)
        return result

    return wrapper


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
            # Stored under the recognised type's extension (attachment_path) and downloaded
            # under it too, so the uploader's name need not agree with the content.
            kinds.append(
                validate_upload(upload, allowed=ALLOWED, max_bytes=MAX_BYTES, match_name=False)
            )
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
    """Store files already checked by `attachments_check`; the caller's transaction holds the
    rows, and `discard_files_on_failure` around the caller the files."""
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
        if (stored := _stored.get()) is not None:
            stored.append((attachment.file.storage, attachment.file.name))
        attachment.save()
        saved.append(attachment)
    return saved
