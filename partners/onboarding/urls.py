from django.urls import path

from . import views

app_name = "onboarding"

urlpatterns = [
    path("", views.onboarding_list, name="list"),
    path("partner/<int:pk>/", views.onboarding_partner, name="partner"),
    path("partner/<int:pk>/start/", views.onboarding_start_view, name="start"),
    path("steps/<int:pk>/", views.step_resolve, name="step"),
]
