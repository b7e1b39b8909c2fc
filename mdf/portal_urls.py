"""Market fund pages of the partner portal."""

from django.urls import path  # noqa: F401

app_name = "portal_mdf"

urlpatterns: list = []
