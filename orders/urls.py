from django.urls import path

from . import pricing_views, views

app_name = "orders"

urlpatterns = [
    path("", views.order_list, name="list"),
    path("prices/", pricing_views.price_explain_view, name="price_explain"),
    path("<int:pk>/", views.order_detail, name="detail"),
    path("<int:pk>/approve/", views.order_approve_view, name="approve"),
    path("<int:pk>/reject/", views.order_reject_view, name="reject"),
    path("<int:pk>/ship/", views.order_ship_view, name="ship"),
    path("<int:pk>/cancel/", views.order_cancel_view, name="cancel"),
]
