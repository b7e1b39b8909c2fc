"""The market fund ROI report of the vendor portal."""

from django.urls import path

from . import roi_views

app_name = "mdf_roi"

urlpatterns = [
    path("", roi_views.report, name="report"),
    path("export.csv", roi_views.export, name="export"),
]
