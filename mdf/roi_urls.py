"""The market fund ROI report of the vendor portal."""

from django.urls import path  # noqa: F401

app_name = "mdf_roi"

urlpatterns: list = []
