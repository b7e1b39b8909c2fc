"""Response headers Django and django-csp do not set by themselves (docs/security_settings.md)."""

from collections.abc import Callable

from csp.middleware import CSPMiddleware, PolicyParts
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase

PERMISSIONS_POLICY_HEADER = "Permissions-Policy"
# django-tenants overrides the admin's index and app list templates with one inline <style>
# block (the "not available for this schema" caption); the block's hash lets it, and no other
# inline style, into admin pages (tests/trust/test_headers.py recomputes it).
ADMIN_PATH = "/admin/"
ADMIN_STYLE_HASHES = ["'sha256-VVLgkveYriYccl8IakSIMmivuo+40EbStbnlzNT84VA='"]


class PermissionsPolicyMiddleware:
    """Send settings.PERMISSIONS_POLICY on every response: Django has no setting for it, and
    django-csp covers Content-Security-Policy only."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.policy = ", ".join(
            f"{feature}=({' '.join(allowed)})"
            for feature, allowed in settings.PERMISSIONS_POLICY.items()
        )

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if self.policy:
            response.headers.setdefault(PERMISSIONS_POLICY_HEADER, self.policy)
        return response


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """django-csp's middleware, adding the admin templates' one inline style on admin pages."""

    def get_policy_parts(
        self, request: HttpRequest, response: HttpResponseBase, report_only: bool = False
    ) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only)
        if not report_only and request.path_info.startswith(ADMIN_PATH):
            update = dict(parts.update or {})
            update["style-src"] = [*update.get("style-src", []), *ADMIN_STYLE_HASHES]
            parts.update = update
        return parts
