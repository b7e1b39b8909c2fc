"""Production settings: `manage.py check --deploy` is clean, and what only applies over HTTPS
(HSTS, secure cookies, the redirect, the health check left on plain HTTP) behaves as set."""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.test import Client, override_settings

from prm.accounts.roles import Role
from tests.factories import make_user

from .test_headers import assert_secure_headers

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]


def _production_env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PRM_"))}
    env.update(
        DJANGO_SETTINGS_MODULE="prm.settings.production",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(48),
        # Never reached by `check`; given so no embedded server is started for it.
        DATABASE_URL="postgres://nobody:nothing@127.0.0.1:9/none",
        REDIS_URL="redis://127.0.0.1:9/0",
        PRM_DATA_DIR=str(tmp_path),
    )
    return env


@pytest.fixture(scope="module")
def production(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    names = [
        "SECURE_SSL_REDIRECT", "SECURE_REDIRECT_EXEMPT", "SECURE_HSTS_SECONDS",
        "SECURE_HSTS_INCLUDE_SUBDOMAINS", "SECURE_HSTS_PRELOAD", "SECURE_PROXY_SSL_HEADER",
        "USE_X_FORWARDED_HOST", "SESSION_COOKIE_SECURE", "SESSION_COOKIE_HTTPONLY",
        "SESSION_COOKIE_SAMESITE", "CSRF_COOKIE_SECURE", "CSRF_COOKIE_SAMESITE",
        "CSRF_COOKIE_HTTPONLY", "SILENCED_SYSTEM_CHECKS", "DEBUG",
    ]  # fmt: skip
    code = (
        "import json, django; django.setup(); from django.conf import settings; "
        f"print(json.dumps({{n: getattr(settings, n) for n in {names!r}}}))"
    )
    env = _production_env(tmp_path_factory.mktemp("prod"))
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def test_production_passes_the_deploy_check(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy"],
        cwd=ROOT,
        env=_production_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=300,
    )

    assert done.returncode == 0, done.stdout + done.stderr
    assert "System check identified no issues (1 silenced)." in done.stdout
    assert "WARNING" not in done.stdout + done.stderr


def test_production_settings_values(production: dict[str, Any]) -> None:
    assert production == {
        "SECURE_SSL_REDIRECT": True,
        "SECURE_REDIRECT_EXEMPT": ["^healthz$"],
        "SECURE_HSTS_SECONDS": 31536000,
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": True,
        "SECURE_HSTS_PRELOAD": False,
        "SECURE_PROXY_SSL_HEADER": ["HTTP_X_FORWARDED_PROTO", "https"],
        "USE_X_FORWARDED_HOST": False,
        "SESSION_COOKIE_SECURE": True,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "CSRF_COOKIE_SECURE": True,
        "CSRF_COOKIE_SAMESITE": "Lax",
        # The CSRF token is read from the page (hx-headers), never by scripts from the cookie;
        # Django's own check no longer asks for HttpOnly on it.
        "CSRF_COOKIE_HTTPONLY": False,
        "SILENCED_SYSTEM_CHECKS": ["security.W021"],
        "DEBUG": False,
    }


def _as_production(production: dict[str, Any]) -> Any:
    values = {k: v for k, v in production.items() if k != "SILENCED_SYSTEM_CHECKS"}
    values["SECURE_PROXY_SSL_HEADER"] = tuple(values["SECURE_PROXY_SSL_HEADER"])
    return override_settings(**values)


def test_production_redirects_plain_http_but_not_the_health_check(
    tenant_a: Any, production: dict[str, Any]
) -> None:
    with _as_production(production):
        client = Client(HTTP_HOST="alpha.localhost")
        page = client.get("/accounts/login/")
        health = client.get("/healthz")
        behind_proxy = client.get("/accounts/login/", HTTP_X_FORWARDED_PROTO="https")

    assert page.status_code == 301
    assert page["Location"] == "https://alpha.localhost/accounts/login/"
    assert health.status_code in (200, 503)
    assert health["Content-Type"] == "application/json"
    assert behind_proxy.status_code == 200
    assert behind_proxy["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    assert_secure_headers(behind_proxy)


def test_production_cookies_are_secure_httponly_and_lax(
    in_a: Any, production: dict[str, Any]
) -> None:
    make_user(Role.ADMIN, email="cookie@alpha.test", password="pass-12345-word")
    with _as_production(production):
        client = Client(HTTP_HOST="alpha.localhost", HTTP_X_FORWARDED_PROTO="https")
        client.get("/accounts/login/")
        signed_in = client.post(
            "/accounts/login/",
            {"username": "cookie@alpha.test", "password": "pass-12345-word"},
        )

    assert signed_in.status_code == 302
    session = signed_in.cookies[settings.SESSION_COOKIE_NAME]
    assert (session["secure"], session["httponly"], session["samesite"]) == (True, True, "Lax")
    csrf = signed_in.cookies[settings.CSRF_COOKIE_NAME]
    assert (csrf["secure"], csrf["httponly"], csrf["samesite"]) == (True, "", "Lax")
