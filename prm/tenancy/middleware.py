import zoneinfo
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import timezone, translation


def resolve_language(request: HttpRequest) -> str:
    """The user's own choice, then the language cookie, then the vendor's default."""
    supported = {code for code, _ in settings.LANGUAGES}
    user = getattr(request, "user", None)
    choice = getattr(user, "language", "") if user is not None and user.is_authenticated else ""
    if choice in supported:
        return choice
    cookie = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
    if cookie in supported:
        return cookie
    tenant_default = getattr(getattr(request, "tenant", None), "default_language", "")
    return tenant_default if tenant_default in supported else settings.LANGUAGE_CODE


class TenantLocaleMiddleware:
    """Activate the vendor's time zone and the language the person reading should see."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        tenant = getattr(request, "tenant", None)
        tz_name = getattr(tenant, "time_zone", "") or settings.TIME_ZONE
        timezone.activate(zoneinfo.ZoneInfo(tz_name))
        language = resolve_language(request)
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        translation.deactivate()
        timezone.deactivate()
        return response
