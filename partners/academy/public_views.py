"""The public verification page on the vendor's host: anyone holding a certificate's code (an
end customer, a tender office) can check it without logging in. It shows the holder's name,
company, course and dates, never an email or anything else about the person. Look-ups are
throttled per IP (partners.academy.throttle); an unknown code answers 404.

The company shown is the one named on the certificate when it was issued. A holder deactivated
or moved since still holds a valid certificate until it expires: it was earned, and says so."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from partners.recruitment.throttle import client_ip

from . import dates
from .certificates import certificate_lookup
from .throttle import verify_throttle_take

MAX_INPUT = 40


def _answer(request: HttpRequest, context: dict[str, object], status: int = 200) -> HttpResponse:
    response = render(request, "academy/public/verify.html", context, status=status)
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Cache-Control"] = "no-store"
    return response


def verify(request: HttpRequest, code: str | None = None) -> HttpResponse:
    raw = (code if code is not None else request.GET.get("code", "")).strip()[:MAX_INPUT]
    if not raw:
        return _answer(request, {"code": ""})
    if not verify_throttle_take(client_ip(request)):
        return _answer(request, {"code": raw, "throttled": True}, status=429)
    certificate = certificate_lookup(raw)
    if certificate is None:
        return _answer(request, {"code": raw, "unknown": True}, status=404)
    return _answer(
        request,
        {
            "code": certificate.display_code,
            "certificate": certificate,
            "valid": certificate.is_valid_on(dates.today()),
        },
    )
