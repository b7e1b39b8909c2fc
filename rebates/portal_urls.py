"""Rebate pages of the partner portal."""

from django.urls import path

from . import views

app_name = "portal_rebates"

urlpatterns = [
    path("", views.my_rebates, name="progress"),
    path("<int:pk>/", views.my_accrual, name="detail"),
    path("statement/<str:period_start>/", views.my_statement, name="statement"),
]
