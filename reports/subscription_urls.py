"""My report subscriptions, for vendor staff and partner users (mounted at
/reports/subscriptions/)."""

from django.urls import path

from . import subscription_views as views

app_name = "report_subscriptions"

urlpatterns = [
    path("", views.subscription_list, name="list"),
    path("new/", views.subscription_add, name="add"),
    path("<int:pk>/", views.subscription_edit, name="edit"),
    path("<int:pk>/pause/", views.subscription_pause_view, name="pause"),
    path("<int:pk>/resume/", views.subscription_resume_view, name="resume"),
    path("<int:pk>/delete/", views.subscription_delete_view, name="delete"),
]
