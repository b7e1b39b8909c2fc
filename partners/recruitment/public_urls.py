"""The public application page on a vendor's host: no login (CSRF on, throttled per IP)."""

from django.urls import path

from . import views

app_name = "join"

urlpatterns = [
    path("", views.join_apply, name="apply"),
    path("thanks/", views.join_thanks, name="thanks"),
]
