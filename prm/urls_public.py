"""URLs of the base domain: the platform operator's admin and the health check."""

from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView, TemplateView

urlpatterns = [
    path("", TemplateView.as_view(template_name="public/home.html"), name="home"),
    path("admin/", admin.site.urls),
    path("accounts/", include("prm.accounts.urls")),
    # Browsers ask for /favicon.ico whatever the page links; answer instead of logging a 404.
    path(
        "favicon.ico", RedirectView.as_view(url=f"{settings.STATIC_URL}favicon.svg", permanent=True)
    ),
]
