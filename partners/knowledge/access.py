"""Who writes partner-facing content: the vendor admin, marketing (which owns the material) and
channel managers (who answer their partners' questions). Every vendor role may read it all."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

from prm.accounts.access import active_user, vendor_required
from prm.accounts.roles import Role

EDITOR_ROLES = frozenset({Role.ADMIN, Role.MARKETING, Role.CHANNEL_MANAGER})


def can_edit_content(user: Any) -> bool:
    return active_user(user) and user.is_vendor_staff and user.role in EDITOR_ROLES


def require_editor(user: Any) -> None:
    if not can_edit_content(user):
        raise PermissionDenied


def editor_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """A vendor page that writes content: other vendor roles get 403, partners too."""

    @vendor_required
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        require_editor(request.user)
        return view(request, *args, **kwargs)

    return wrapped
