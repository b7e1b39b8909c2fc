"""Deal registration pages of the partner portal."""

from django.urls import path

from . import portal_views as views

app_name = "portal_deals"

urlpatterns = [
    path("", views.my_deal_list, name="list"),
    path("new/", views.my_deal_new, name="new"),
    path("new/check/", views.my_deal_check, name="check"),
    path("<int:pk>/", views.my_deal_detail, name="detail"),
    path("<int:pk>/edit/", views.my_deal_edit, name="edit"),
    path("<int:pk>/edit/check/", views.my_deal_check, name="check_existing"),
    path("<int:pk>/submit/", views.my_deal_submit, name="submit"),
    path("<int:pk>/close/", views.my_deal_close, name="close"),
    path("<int:pk>/orders/", views.my_deal_orders, name="orders"),
    path("<int:pk>/extension/", views.my_deal_extension, name="extension"),
    path("<int:pk>/activity/", views.my_deal_activity, name="activity"),
    path("<int:pk>/stage/", views.my_deal_stage, name="stage"),
    path("<int:pk>/files/<int:activity_pk>/", views.my_deal_activity_file, name="activity_file"),
]
