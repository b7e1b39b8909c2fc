"""Files attached to an announcement (the new price list, the program's terms). Attached while
it is a draft: what partners were sent does not change under them."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from partners.knowledge.access import require_editor
from partners.knowledge.files import attachment_fill, check_attachment

from .models import Announcement, AnnouncementAttachment, AnnouncementStatus


def _draft(announcement: Announcement) -> None:
    status = (
        Announcement.objects.select_for_update()
        .filter(pk=announcement.pk)
        .values_list("status", flat=True)
        .first()
    )
    if status != AnnouncementStatus.DRAFT:
        raise ValidationError(_("Files are attached and removed while it is a draft."))


@transaction.atomic
def announcement_attachment_add(
    announcement: Announcement, upload: UploadedFile, *, actor: Any
) -> AnnouncementAttachment:
    """Refused at the `attachment` field, nothing saved, unless a PDF, PNG or JPEG."""
    require_editor(actor)
    _draft(announcement)
    kind = check_attachment(upload)
    row = AnnouncementAttachment(announcement=announcement)
    attachment_fill(row, upload, kind=kind, actor=actor)
    return row


@transaction.atomic
def announcement_attachment_remove(attachment: AnnouncementAttachment, *, actor: Any) -> None:
    require_editor(actor)
    _draft(attachment.announcement)
    stored = attachment.file.name
    storage = attachment.file.storage
    attachment.delete()
    transaction.on_commit(lambda: storage.delete(stored))
