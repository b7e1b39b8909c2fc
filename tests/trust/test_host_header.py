"""The Host header picks the vendor, and nothing else does: not a session cookie from another
vendor, not X-Forwarded-Host, not a Host written strangely; and password-reset links are built
from the vendor's own domain, whatever Host the request came with."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.conf import settings
from django.core import mail
from django.test import Client

from prm.accounts.roles import Role
from prm.tenancy.selectors import tenant_base_url
from tests.conftest import login
from tests.factories import make_partner, make_user

pytestmark = pytest.mark.django_db

ALPHA, BRAVO = "Alpha Electronics", "Bravo Electronics"
PAGES = ["/", "/partners/", "/portal/", "/admin/", "/api/docs/", "/settings/"]


def _alpha_session(client_a: Client, vendor_admin: Any) -> str:
    login(client_a, vendor_admin)
    assert client_a.get("/").status_code == 200
    return client_a.cookies[settings.SESSION_COOKIE_NAME].value


def test_another_vendors_host_ignores_vendor_as_session(
    client_a: Client, vendor_admin: Any, tenant_b: Any
) -> None:
    make_partner(name="阿尔法独有伙伴")
    session = _alpha_session(client_a, vendor_admin)
    on_bravo = Client(HTTP_HOST="bravo.localhost")
    on_bravo.cookies[settings.SESSION_COOKIE_NAME] = session

    answers = {page: on_bravo.get(page) for page in PAGES}

    for page, response in answers.items():
        assert response.status_code in (302, 401, 403), page
        if response.status_code == 302:
            assert response["Location"].startswith(("/accounts/login/", "/admin/login/")), page
        body = response.content.decode()
        assert "阿尔法独有伙伴" not in body, page
        assert ALPHA not in body, page
    login_page = on_bravo.get("/accounts/login/").content.decode()
    assert BRAVO in login_page
    assert ALPHA not in login_page


def test_x_forwarded_host_is_ignored(client_a: Client, vendor_admin: Any, tenant_b: Any) -> None:
    assert settings.USE_X_FORWARDED_HOST is False
    session = _alpha_session(client_a, vendor_admin)
    headers = {"HTTP_HOST": "alpha.localhost", "HTTP_X_FORWARDED_HOST": "bravo.localhost"}
    forged = Client(**headers)
    forged.cookies[settings.SESSION_COOKIE_NAME] = session

    alpha_page = Client(**headers).get("/accounts/login/").content.decode()
    home = forged.get("/")
    unknown = Client(HTTP_HOST="nobody.localhost", HTTP_X_FORWARDED_HOST="alpha.localhost")

    assert ALPHA in alpha_page
    assert BRAVO not in alpha_page
    assert home.status_code == 200  # still vendor A's own session on vendor A's host
    assert home.templates[0].name == "vendor/home.html"
    assert unknown.get("/accounts/login/").status_code == 404


def test_an_unknown_host_gets_the_platform_404_not_a_vendor(tenant_a: Any) -> None:
    response = Client(HTTP_HOST="evil.example").get("/accounts/login/")

    body = response.content.decode()
    assert response.status_code == 404
    assert "There is no vendor at <strong>evil.example</strong>" in body
    assert ALPHA not in body
    assert BRAVO not in body


@pytest.mark.parametrize(
    ("host", "status", "vendor"),
    [
        ("alpha.localhost:8000", 200, ALPHA),  # the port is not part of the vendor's domain
        ("www.alpha.localhost", 200, ALPHA),  # django-tenants drops a leading www.
        ("ALPHA.LOCALHOST", 404, None),  # domains are stored lower case; browsers send them so
        ("alpha.localhost.", 404, None),
        # Not a host name at all: django-tenants answers a bare 404 (Django's DisallowedHost).
        ("alpha.localhost@bravo.localhost", 404, None),
        ("bravo.localhost@alpha.localhost", 404, None),
        ("alpha.localhost:8000@bravo.localhost", 404, None),
        ("alpha.localhost bravo.localhost", 404, None),
        ("alpha.localhost/bravo.localhost", 404, None),
        ("alpha.localhost\\bravo.localhost", 404, None),
    ],
)
def test_a_strange_host_never_switches_vendor(
    client_a: Client, vendor_admin: Any, tenant_b: Any, host: str, status: int, vendor: str | None
) -> None:
    session = _alpha_session(client_a, vendor_admin)
    client = Client(HTTP_HOST=host)
    client.cookies[settings.SESSION_COOKIE_NAME] = session

    page = Client(HTTP_HOST=host).get("/accounts/login/")
    partners = client.get("/partners/")

    body = page.content.decode()
    assert page.status_code == status
    assert BRAVO not in body
    assert (ALPHA in body) == (vendor == ALPHA)
    # Only vendor A's own host, however spelled, honours vendor A's session.
    assert partners.status_code == (200 if vendor == ALPHA else status)


@pytest.mark.parametrize(
    "headers",
    [
        {"HTTP_HOST": "alpha.localhost:8443"},
        {"HTTP_HOST": "alpha.localhost", "HTTP_X_FORWARDED_HOST": "evil.example"},
        {"HTTP_HOST": "alpha.localhost", "HTTP_X_FORWARDED_HOST": "bravo.localhost"},
    ],
    ids=["port", "forwarded-evil", "forwarded-other-vendor"],
)
def test_password_reset_links_use_the_vendors_own_domain(
    in_a: Any, headers: dict[str, str]
) -> None:
    make_user(Role.ADMIN, email="reset-me@alpha.test")
    base = tenant_base_url()

    response = Client(**headers).post("/accounts/password/reset/", {"email": "reset-me@alpha.test"})

    assert response.status_code == 302
    assert len(mail.outbox) == 1
    links = re.findall(r"https?://\S+", mail.outbox[0].body)
    assert len(links) == 1
    assert links[0].startswith(f"{base}/accounts/password/reset/")
    assert mail.outbox[0].subject == "重置您的 Alpha Electronics 密码"
