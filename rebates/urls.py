"""Rebate pages of the vendor portal."""

from django.urls import path

from . import views

app_name = "rebates"

urlpatterns = [
    path("", views.accrual_list, name="list"),
    path("programs/", views.program_list, name="programs"),
    path("programs/<int:pk>/simulate/", views.program_simulate, name="simulate"),
    path("programs/<int:pk>/activate/", views.program_activate_view, name="activate"),
    path("<int:pk>/", views.accrual_detail, name="detail"),
    path("<int:pk>/settle/", views.accrual_settle, name="settle"),
]
