"""Which portal a user may enter. Row-level visibility lives in `visibility`."""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

from .models import User


def _require(check: Callable[[Any], bool]) -> Callable[..., Any]:
    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @login_required
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not check(request.user):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def active_user(user: Any) -> bool:
    """Signed in and not deactivated: what every service checks before its role checks."""
    return bool(getattr(user, "is_authenticated", False) and getattr(user, "is_active", False))


def signed_in_user(request: HttpRequest) -> User:
    """The request's user in a view already guarded by one of the decorators below."""
    user = request.user
    if not isinstance(user, User):
        raise PermissionDenied
    return user


vendor_required = _require(lambda user: user.is_vendor_staff)
partner_required = _require(lambda user: user.is_partner_user)


class VendorRequiredMixin(LoginRequiredMixin):
    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        user = request.user
        if isinstance(user, User) and not user.is_vendor_staff:
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


class PartnerRequiredMixin(LoginRequiredMixin):
    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        user = request.user
        if isinstance(user, User) and not user.is_partner_user:
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)
