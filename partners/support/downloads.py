"""Serving a ticket's file to someone partners.support.selectors lets see it (an internal note's
file is the vendor's alone; anything else is a 404), never cached by a shared proxy."""

from __future__ import annotations

from typing import Any

from django.http import FileResponse, Http404

from .selectors import attachment_get_visible


def attachment_response(*, user: Any, pk: int) -> FileResponse:
    attachment = attachment_get_visible(user=user, pk=pk)
    if attachment is None or not attachment.file:
        raise Http404
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=attachment.original_name or attachment.file.name.rsplit("/", 1)[-1],
        content_type=attachment.content_type,
    )
    response["Cache-Control"] = "private, no-store"
    return response
