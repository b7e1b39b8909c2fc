"""Market fund pages of the vendor portal."""

from django.urls import path  # noqa: F401

app_name = "mdf"

urlpatterns: list = []
