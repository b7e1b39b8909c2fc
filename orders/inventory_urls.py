from django.urls import path

from . import inventory_views as views

app_name = "inventory"

urlpatterns = [
    path("", views.stock_list, name="list"),
    path("receive/", views.stock_receive_view, name="receive"),
    path("<int:pk>/", views.stock_detail, name="detail"),
    path("<int:pk>/count/", views.stock_count_view, name="count"),
]
