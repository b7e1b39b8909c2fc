"""Production: everything comes from the environment; refuse to start on unsafe defaults."""

import os

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403

if not os.environ.get("DJANGO_SECRET_KEY"):
    raise ImproperlyConfigured("DJANGO_SECRET_KEY must be set in production")

# HTTPS only (docs/security_settings.md). The proxy in front terminates TLS and says so here.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# The Host header decides the vendor; a client-sent X-Forwarded-Host must never override it.
USE_X_FORWARDED_HOST = False
# Off only where the proxy already redirects plain HTTP to HTTPS itself.
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)  # noqa: F405
# Load balancers probe over plain HTTP; prm.core.health_middleware answers before any redirect,
# and this keeps it so should the middleware order change.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_HSTS_SECONDS", str(60 * 60 * 24 * 365)))
# Vendors are subdomains of the base domain: one header covers them all.
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
# Preloading is a promise for the base domain and every subdomain that browsers keep for months
# after it is withdrawn; an operator decides that for their own domain, not this code.
SECURE_HSTS_PRELOAD = False
# security.W021 ("SECURE_HSTS_PRELOAD is not True") is the one deploy warning left out, for the
# reason above: preload is a per-deployment decision about the operator's domain.
SILENCED_SYSTEM_CHECKS = ["security.W021"]
SESSION_COOKIE_SECURE = env_bool("DJANGO_SECURE_COOKIES", True)  # noqa: F405
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = False
