"""Files attached to an article (a price sheet, a datasheet, a case study as PDF)."""

from __future__ import annotations

from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from .access import require_editor
from .files import attachment_fill, check_attachment
from .models import Article, ArticleAttachment


@transaction.atomic
def article_attachment_add(
    article: Article, upload: UploadedFile, *, actor: Any
) -> ArticleAttachment:
    """Refused at the `attachment` field, nothing saved, unless a PDF, PNG or JPEG."""
    require_editor(actor)
    kind = check_attachment(upload)
    row = ArticleAttachment(article=article)
    attachment_fill(row, upload, kind=kind, actor=actor)
    return row


@transaction.atomic
def article_attachment_remove(attachment: ArticleAttachment, *, actor: Any) -> None:
    require_editor(actor)
    stored = attachment.file.name
    storage = attachment.file.storage
    attachment.delete()
    # The file goes only once the row is gone for good.
    transaction.on_commit(lambda: storage.delete(stored))
