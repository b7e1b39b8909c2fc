"""Forecast pages of the vendor portal (mounted at /reports/forecasts/)."""

from django.urls import path

from . import forecast_views as views

app_name = "forecasts"

urlpatterns = [
    path("", views.cycle_list, name="cycles"),
    path("cycles/<int:year>/<int:month>/", views.cycle_detail, name="cycle"),
    path("rollup/", views.rollup, name="rollup"),
    path("accuracy/", views.accuracy, name="accuracy"),
    path("<int:pk>/", views.forecast_detail, name="detail"),
    path("<int:pk>/lines/<int:line_pk>/adjust/", views.forecast_adjust_view, name="adjust"),
    path("<int:pk>/return/", views.forecast_return_view, name="return"),
    path("<int:pk>/commit/", views.forecast_commit_view, name="commit"),
]
