"""Deal registration pages of the vendor portal."""

from django.urls import path

from . import views

app_name = "deals"

urlpatterns = [
    path("", views.deal_list, name="list"),
    path("pipeline/", views.deal_pipeline, name="pipeline"),
    path("<int:pk>/", views.deal_detail, name="detail"),
    path("<int:pk>/approve/", views.deal_approve, name="approve"),
    path("<int:pk>/reject/", views.deal_reject, name="reject"),
    path("<int:pk>/more-info/", views.deal_request_info, name="request_info"),
    path("<int:pk>/close/", views.deal_close, name="close"),
    path("<int:pk>/orders/", views.deal_orders, name="orders"),
    path("<int:pk>/team/", views.deal_team_add, name="team_add"),
    path("<int:pk>/team/<int:member_pk>/remove/", views.deal_team_remove, name="team_remove"),
    path("<int:pk>/activity/", views.deal_activity, name="activity"),
    path("<int:pk>/stage/", views.deal_stage, name="stage"),
    path("<int:pk>/files/<int:activity_pk>/", views.deal_activity_file, name="activity_file"),
    path(
        "<int:pk>/extensions/<int:extension_pk>/",
        views.deal_extension_decide,
        name="extension_decide",
    ),
    path("<int:pk>/evidence/<int:conflict_pk>/", views.deal_evidence, name="evidence"),
]
