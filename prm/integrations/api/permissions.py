"""Scopes: a view names its resource; reading needs `<resource>:read`, anything else write."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.request import Request

from ..models import ApiKey
from ..scopes import READ, WRITE, scope, scopes_allow


class HasScope(BasePermission):
    def has_permission(self, request: Request, view: Any) -> bool:
        key = request.auth
        if not isinstance(key, ApiKey):
            return False
        resource = getattr(view, "api_resource", None)
        if resource is None:  # a view that forgot to name its resource is closed, not open
            return False
        access = READ if request.method in SAFE_METHODS else WRITE
        if not scopes_allow(key.scopes, resource, access):
            self.message = _("This key lacks the scope %(scope)s.") % {
                "scope": scope(resource, access)
            }
            return False
        return True
