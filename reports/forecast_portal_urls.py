"""Forecast pages of the partner portal (mounted at /portal/forecasts/)."""

from django.urls import path

from . import forecast_portal_views as views

app_name = "portal_forecasts"

urlpatterns = [
    path("", views.home, name="home"),
    path("open/", views.open_view, name="open"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/save/", views.save_view, name="save"),
]
