from django.urls import path

from . import views

app_name = "portal_orders"

urlpatterns = [
    path("", views.portal_order_list, name="list"),
    path("<int:pk>/", views.portal_order_detail, name="detail"),
]
