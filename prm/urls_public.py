"""URLs of the base domain: the platform operator's admin and the health check."""

from django.contrib import admin
from django.urls import include, path
from django.views.generic import TemplateView

urlpatterns = [
    path("", TemplateView.as_view(template_name="public/home.html"), name="home"),
    path("admin/", admin.site.urls),
    path("accounts/", include("prm.accounts.urls")),
]
