from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from .health import healthz


class HealthCheckMiddleware:
    """Answer /healthz before tenant routing, so a dead database gives 503 JSON, not a 500 page."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path == "/healthz":
            return healthz(request)
        return self.get_response(request)
