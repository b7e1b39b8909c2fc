from django.urls import URLPattern, path  # noqa: F401

app_name = "portal_agreements"

urlpatterns: list[URLPattern] = []
