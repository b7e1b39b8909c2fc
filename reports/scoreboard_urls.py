"""A partner's scoreboard in the vendor portal, and the import of purchase targets."""

from django.urls import path

from . import scoreboard_views as views

app_name = "scoreboard"

urlpatterns = [
    path("<int:partner_id>/", views.partner_scoreboard, name="partner"),
    path("targets/import/", views.targets_import_view, name="targets_import"),
]
