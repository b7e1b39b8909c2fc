from django.urls import path

from . import views

app_name = "recruitment"

urlpatterns = [
    path("", views.application_list, name="list"),
    path("<int:pk>/", views.application_detail, name="detail"),
    path("<int:pk>/review/", views.application_start_review_view, name="start_review"),
    path("<int:pk>/approve/", views.application_approve_view, name="approve"),
    path("<int:pk>/reject/", views.application_reject_view, name="reject"),
    path("documents/<int:pk>/", views.application_document, name="document"),
]
