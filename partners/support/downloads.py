"""Serving a ticket's file to someone partners.support.selectors lets see it (an internal note's
file is the vendor's alone; anything else is a 404)."""

from __future__ import annotations

from typing import Any

from django.http import FileResponse

from prm.core.files import private_file_response

from .selectors import attachment_get_visible


def attachment_response(*, user: Any, pk: int) -> FileResponse:
    return private_file_response(attachment_get_visible(user=user, pk=pk))
