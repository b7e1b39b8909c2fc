"""Who configures integrations (API keys, webhooks, messaging channels, ERP sync): the vendor
admin only, on every page and in every service that changes them."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

from prm.accounts.access import active_user, vendor_required
from prm.accounts.roles import Role

View = Callable[..., HttpResponse]


def integrations_can_manage(user: Any) -> bool:
    return bool(active_user(user) and user.is_vendor_staff and user.role == Role.ADMIN)


def integrations_admin_required(view: View) -> View:
    @vendor_required
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not integrations_can_manage(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped
