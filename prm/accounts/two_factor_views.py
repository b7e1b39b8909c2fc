"""Pages of two-factor sign-in: enrol, enter a code, see backup codes once, manage or turn off."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_otp import login as otp_login

from .access import signed_in_user
from .forms import TwoFactorCodeForm
from .two_factor import (
    BACKUP_CODE_COUNT,
    backup_codes_left,
    backup_codes_renew,
    session_verified,
    totp_device_pending,
    totp_qr_svg,
    totp_secret,
    two_factor_enable,
    two_factor_required,
    two_factor_reset,
    two_factor_verify,
)

# Backup codes wait here between the POST that made them and the one page that shows them.
FRESH_CODES_KEY = "two_factor_fresh_codes"
AFTER_CODES_KEY = "two_factor_next"


def _next_url(request: HttpRequest, candidate: str | None, fallback: str) -> str:
    if candidate and url_has_allowed_host_and_scheme(
        candidate, {request.get_host()}, request.is_secure()
    ):
        return candidate
    return fallback


def _verified(request: HttpRequest, device: Any) -> None:
    # A new session key for the stronger sign-in, as Django does at login.
    request.session.cycle_key()
    otp_login(request, device)


@login_required
def setup(request: HttpRequest) -> HttpResponse:
    """Scan the QR code (or type the secret), then confirm with the code the app shows."""
    user = signed_in_user(request)
    if user.two_factor_enabled:
        # Enrolling again would replace the device: only from a verified session, via reset.
        return redirect("accounts:two_factor")
    device = totp_device_pending(user=user)
    form = TwoFactorCodeForm(request.POST or None, initial={"next": request.GET.get("next", "")})
    if request.method == "POST" and form.is_valid():
        try:
            codes = two_factor_enable(device=device, code=form.cleaned_data["code"])
        except ValidationError as exc:
            form.add_error("code", exc)
        else:
            _verified(request, device)
            request.session[FRESH_CODES_KEY] = codes
            request.session[AFTER_CODES_KEY] = _next_url(
                request, form.cleaned_data["next"], user.home_url
            )
            return redirect("accounts:two_factor_backup_codes")
    context = {
        "form": form,
        "qr_svg": mark_safe(totp_qr_svg(device)),  # noqa: S308 - drawn by segno from our own URL
        "secret": totp_secret(device),
        "required": two_factor_required(user=user, tenant=getattr(request, "tenant", None)),
    }
    return render(request, "accounts/two_factor_setup.html", context)


@login_required
def verify(request: HttpRequest) -> HttpResponse:
    """The second step of signing in for an enrolled user."""
    user = signed_in_user(request)
    if not user.two_factor_enabled or session_verified(user):
        return redirect(_next_url(request, request.GET.get("next"), user.home_url))
    form = TwoFactorCodeForm(request.POST or None, initial={"next": request.GET.get("next", "")})
    if request.method == "POST" and form.is_valid():
        try:
            device = two_factor_verify(user=user, code=form.cleaned_data["code"])
        except ValidationError as exc:
            form.add_error("code", exc)
        else:
            _verified(request, device)
            return redirect(_next_url(request, form.cleaned_data["next"], user.home_url))
    return render(request, "accounts/two_factor_verify.html", {"form": form})


@login_required
def backup_codes(request: HttpRequest) -> HttpResponse:
    """Shows freshly made backup codes exactly once; a reload finds them gone."""
    codes = request.session.pop(FRESH_CODES_KEY, None)
    if not codes:
        return redirect("accounts:two_factor")
    done = request.session.pop(AFTER_CODES_KEY, None) or signed_in_user(request).home_url
    return render(request, "accounts/two_factor_backup_codes.html", {"codes": codes, "done": done})


@login_required
def manage(request: HttpRequest) -> HttpResponse:
    """The user's own two-factor page (reached only with a verified session when enrolled)."""
    user = signed_in_user(request)
    context = {
        "enabled": user.two_factor_enabled,
        "required": two_factor_required(user=user, tenant=getattr(request, "tenant", None)),
        "backup_left": backup_codes_left(user=user) if user.two_factor_enabled else 0,
        "backup_total": BACKUP_CODE_COUNT,
        "form": TwoFactorCodeForm(),
    }
    return render(request, "accounts/two_factor_manage.html", context)


@require_POST
@login_required
def backup_renew(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    if not user.two_factor_enabled:
        return redirect("accounts:two_factor")
    request.session[FRESH_CODES_KEY] = backup_codes_renew(user=user)
    request.session[AFTER_CODES_KEY] = user.home_url
    return redirect("accounts:two_factor_backup_codes")


@require_POST
@login_required
def disable(request: HttpRequest) -> HttpResponse:
    """Turn it off with a current code; not possible where the vendor requires it for the role."""
    user = signed_in_user(request)
    required = two_factor_required(user=user, tenant=getattr(request, "tenant", None))
    if not user.two_factor_enabled or required:
        return redirect("accounts:two_factor")
    form = TwoFactorCodeForm(request.POST)
    if form.is_valid():
        try:
            two_factor_verify(user=user, code=form.cleaned_data["code"])
        except ValidationError as exc:
            form.add_error("code", exc)
        else:
            two_factor_reset(user=user)
            messages.success(request, _("Two-factor sign-in is off."))
            return redirect("accounts:two_factor")
    context = {
        "enabled": True,
        "required": False,
        "backup_left": backup_codes_left(user=user),
        "backup_total": BACKUP_CODE_COUNT,
        "form": form,
    }
    return render(request, "accounts/two_factor_manage.html", context)
