from collections.abc import Callable
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from .two_factor import session_verified, two_factor_required

EXEMPT_PREFIXES = ("/accounts/", "/static/", "/healthz", "/i18n/", "/branding/")
# What a signed-in user who still owes a code may reach: the ways in and out, and the two
# pages where the code is given. Everything else, /admin/ included, waits for the code.
TWO_FACTOR_EXEMPT_PREFIXES = (
    "/accounts/login/",
    "/accounts/logout/",
    "/accounts/language/",
    "/accounts/two-factor/setup/",
    "/accounts/two-factor/verify/",
    "/admin/logout/",
    "/static/",
    "/healthz",
    "/i18n/",
    "/branding/",
)


class PasswordChangeRequiredMiddleware:
    """A one-time password works for exactly one thing: choosing a real password."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and getattr(user, "must_change_password", False)
            and not request.path.startswith(EXEMPT_PREFIXES)
        ):
            return redirect(reverse("accounts:password_change"))
        return self.get_response(request)


class TwoFactorRequiredMiddleware:
    """An enrolled user enters a code before any page; where the vendor requires it, admin and
    finance staff enrol first. After django-otp's OTPMiddleware, which marks verified sessions."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if (
            user is None
            or not user.is_authenticated
            or request.path.startswith(TWO_FACTOR_EXEMPT_PREFIXES)
        ):
            return self.get_response(request)
        if getattr(user, "two_factor_enabled", False):
            if not session_verified(user):
                return _send_to("accounts:two_factor_verify", request)
        elif two_factor_required(user=user, tenant=getattr(request, "tenant", None)):
            return _send_to("accounts:two_factor_setup", request)
        return self.get_response(request)


def _send_to(name: str, request: HttpRequest) -> HttpResponse:
    url = reverse(name)
    if request.method == "GET":
        url += "?" + urlencode({"next": request.get_full_path()})
    if request.headers.get("HX-Request"):
        # htmx would swap the code page into a fragment; make it load the whole page instead.
        return HttpResponse(status=204, headers={"HX-Redirect": url})
    return redirect(url)
