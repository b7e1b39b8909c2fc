from django.urls import path

from . import views

app_name = "portal_programs"

urlpatterns = [
    path("", views.my_scorecard, name="scorecard"),
]
