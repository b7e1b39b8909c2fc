"""The partner's own scoreboard in the partner portal."""

from django.urls import path

from . import scoreboard_views as views

app_name = "portal_scoreboard"

urlpatterns = [
    path("", views.portal_scoreboard, name="show"),
]
