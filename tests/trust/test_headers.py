"""Security headers on every kind of response: a vendor page, a partner portal page, the login
page, an API response, the platform's own host and an unknown host; the two inline styles the
policy lets in by hash (Swagger UI, the admin). HTTPS-only settings: test_deploy_check.py."""

from __future__ import annotations

import base64
import hashlib
import re
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.http import HttpResponse
from django.test import Client

from prm.accounts.roles import Role
from prm.core.headers_middleware import ADMIN_STYLE_HASHES
from tests.conftest import login
from tests.factories import make_partner, make_user
from tests.prm.integrations.api_helpers import bearer, key_for

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
CSP = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "style-src-attr": "'unsafe-inline'",
    "img-src": "'self' data:",
    "object-src": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}
HEADERS = {
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "accelerometer=(), camera=(), geolocation=(), gyroscope=(), "
    "magnetometer=(), microphone=(), payment=(), usb=()",
}


def directives(header: str) -> dict[str, str]:
    """The policy as {directive: sources}; django-csp writes directives in no fixed order."""
    pairs = [part.strip().split(" ", 1) for part in header.split(";") if part.strip()]
    assert all(len(pair) == 2 for pair in pairs), header
    policy = {pair[0]: pair[1] for pair in pairs}
    assert len(policy) == len(pairs), f"a directive repeated: {header}"
    return policy


def _sha256(text: str) -> str:
    return "sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode()


def assert_secure_headers(response: HttpResponse, *, csp: dict[str, str] = CSP) -> None:
    for name, value in HEADERS.items():
        assert response.headers.get(name) == value, name
    assert directives(response.headers["Content-Security-Policy"]) == csp
    # Enforced, not merely reported.
    assert "Content-Security-Policy-Report-Only" not in response.headers


def test_a_vendor_page_sends_every_header(client_a: Client, vendor_admin: Any) -> None:
    response = login(client_a, vendor_admin).get("/")

    assert response.status_code == 200
    assert response.templates[0].name == "vendor/home.html"
    assert_secure_headers(response)


def test_a_portal_page_sends_every_header(client_a: Client, in_a: Any) -> None:
    buyer = make_user(Role.PARTNER_USER, partner=make_partner())

    response = login(client_a, buyer).get("/portal/orders/")

    assert response.status_code == 200
    assert_secure_headers(response)


def test_the_login_page_sends_every_header(client_a: Client) -> None:
    response = client_a.get("/accounts/login/")

    assert response.status_code == 200
    assert_secure_headers(response)


def test_an_api_response_sends_every_header(client_a: Client, vendor_admin: Any) -> None:
    client = bearer(client_a, key_for(vendor_admin, "partners:read"))

    response = client.get("/api/v1/partners/")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert_secure_headers(response)


def test_the_platform_host_sends_every_header(tenant_a: Any) -> None:
    response = Client(HTTP_HOST="localhost").get("/")

    assert response.status_code == 200
    assert_secure_headers(response)


def test_an_unknown_host_404_sends_every_header_but_frame_options(tenant_a: Any) -> None:
    # Answered by the tenant middleware, before the clickjacking middleware runs; CSP's
    # frame-ancestors 'none' forbids framing it all the same.
    response = Client(HTTP_HOST="nobody.localhost").get("/")

    assert response.status_code == 404
    assert directives(response["Content-Security-Policy"]) == CSP
    for name in ("X-Content-Type-Options", "Referrer-Policy", "Permissions-Policy"):
        assert response[name] == HEADERS[name]


def test_templates_run_no_inline_script() -> None:
    """script-src 'self' holds only while no template carries inline code: JSON data blocks
    (json_script) are not run, and no element may have an on...= handler or javascript: URL."""
    offenders = []
    for path in (ROOT / "templates").rglob("*.html"):
        if path.parts[-2] in ("pdf", "emails"):
            continue
        text = path.read_text(encoding="utf-8")
        for tag in re.findall(r"<script\b[^>]*>", text):
            if "src=" not in tag:
                offenders.append(f"{path.name}: {tag}")
        offenders += [f"{path.name}: {m}" for m in re.findall(r"\son[a-z]+=\"", text)]
        offenders += [f"{path.name}: javascript:" for _ in re.findall(r"javascript:", text)]
    assert offenders == []


def test_the_api_docs_allow_their_one_inline_style_by_hash(
    client_a: Client, vendor_admin: Any
) -> None:
    page = login(client_a, vendor_admin).get("/api/docs/")

    body = page.content.decode()
    style = re.search(r"<style>(.*?)</style>", body, re.S)
    assert style is not None
    assert_secure_headers(page, csp={**CSP, "style-src": f"'self' '{_sha256(style.group(1))}'"})
    # The start-up script is a file of its own (the split view), not inline.
    assert re.findall(r"<script\b[^>]*>", body) == [
        f'<script src="{settings.STATIC_URL}drf_spectacular_sidecar/swagger-ui-dist/'
        'swagger-ui-bundle.js">',
        f'<script src="{settings.STATIC_URL}drf_spectacular_sidecar/swagger-ui-dist/'
        'swagger-ui-standalone-preset.js">',
        '<script src="/api/docs/?script=">',
    ]
    script = client_a.get("/api/docs/?script=")
    assert script.status_code == 200
    assert script["Content-Type"].startswith("application/javascript")


def test_admin_pages_allow_the_tenant_templates_inline_style_and_no_other(
    client_a: Client, vendor_admin: Any
) -> None:
    client = login(client_a, vendor_admin)
    for url in ("/admin/", "/admin/partners/partner/"):
        page = client.get(url)

        blocks = re.findall(r"<style>(.*?)</style>", page.content.decode(), re.S)
        assert page.status_code == 200
        assert {_sha256(block) for block in blocks} == {ADMIN_STYLE_HASHES[0].strip("'")}
        assert_secure_headers(page, csp={**CSP, "style-src": f"'self' {ADMIN_STYLE_HASHES[0]}"})
