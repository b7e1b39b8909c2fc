"""django-axes hooks: who counts as one person at the login forms, and what a locked-out one sees.

Settings (AXES_* in prm/settings/base.py) name these by path; the numbers are there too.
"""

from __future__ import annotations

from typing import Any

from axes.helpers import get_cool_off
from axes.utils import reset
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def lockout_username(request: HttpRequest, credentials: dict[str, Any] | None) -> str | None:
    """The email as typed at the portal or the admin login, trimmed and lower-cased: both forms
    sign in case-insensitively, so a lockout must not be dodged by changing case."""
    value = (credentials or {}).get("username")
    if value is None:
        value = request.POST.get("username")
    return value.strip().lower() if isinstance(value, str) else None


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None, credentials: dict[str, Any] | None
) -> HttpResponse:
    """The page shown instead of the login form (portal or /admin/) while locked out."""
    cool_off = get_cool_off(request)
    minutes = int(cool_off.total_seconds() // 60) if cool_off else 0
    return render(request, "accounts/locked_out.html", {"minutes": minutes}, status=429)


def lockout_clear(*, username: str) -> int:
    """Lift every lock on this email (all addresses), e.g. once its owner reset the password."""
    return int(reset(username=username.strip().lower()))
