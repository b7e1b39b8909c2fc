"""The one way a POST view reports a service's outcome: its refusal, or a success message."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest


def flash_outcome(request: HttpRequest, action: Callable[[], object], success: str) -> bool:
    """Run `action`; a ValidationError it raises becomes the error message, else `success`."""
    try:
        action()
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return False
    messages.success(request, success)
    return True
