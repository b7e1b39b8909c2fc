from django.urls import path

from . import views

app_name = "portal_onboarding"

urlpatterns = [
    path("", views.checklist, name="checklist"),
]
