"""`Authorization: Bearer <key>`: the request acts as the key's user, within its scopes.

The key is looked up in the schema of the host the request came to, so a key of one vendor is
unknown at another's address.
"""

from __future__ import annotations

import contextlib
from typing import Any

from auditlog.context import auditlog_value
from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.request import Request

from ..keys import api_key_check
from ..models import ApiKey


class ApiKeyAuthentication(BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request: Request) -> tuple[Any, ApiKey] | None:
        # A refusal speaks the caller's language too, "no credentials" included.
        _speak(request, None)
        header = get_authorization_header(request).decode("latin-1").split()
        if not header:
            return None
        if len(header) != 2 or header[0] != self.keyword:
            raise exceptions.AuthenticationFailed(
                _("Send the key as: Authorization: Bearer <key>.")
            )
        key = api_key_check(header[1])
        if key is None:
            raise exceptions.AuthenticationFailed(_("This API key is not valid or was revoked."))
        _audit_as(key.user)
        _speak(request, key.user)
        return key.user, key

    def authenticate_header(self, request: Request) -> str:
        return self.keyword


def _speak(request: Request, user: Any) -> None:
    """Messages in the language the caller asks for (Accept-Language), else its user's own."""
    if request.META.get("HTTP_ACCEPT_LANGUAGE"):
        translation.activate(translation.get_language_from_request(request._request))
    elif user is not None and user.language in {code for code, _name in settings.LANGUAGES}:
        translation.activate(user.language)


def _audit_as(user: Any) -> None:
    """auditlog's middleware took its actor from the session before the key was read; the audit
    trail of an API change names the key's user instead of nobody."""
    with contextlib.suppress(LookupError):
        auditlog_value.get()["actor"] = user


class ApiKeySchema(OpenApiAuthenticationExtension):
    target_class = ApiKeyAuthentication
    name = "apiKey"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {"type": "http", "scheme": "bearer", "bearerFormat": "prm_<prefix>_<secret>"}
