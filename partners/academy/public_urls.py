"""The public certificate check on a vendor's host: no login, throttled per IP."""

from django.urls import path

from . import public_views as views

app_name = "certificates"

urlpatterns = [
    path("verify/", views.verify, name="verify"),
    path("verify/<str:code>/", views.verify, name="verify_code"),
]
