"""Return pages of the vendor portal: the queue, one return, and the order desk's decisions."""

from django.urls import path

from . import returns_views as views

app_name = "returns"

urlpatterns = [
    path("", views.return_list, name="list"),
    path("<int:pk>/", views.return_detail, name="detail"),
    path("<int:pk>/approve/", views.return_approve_view, name="approve"),
    path("<int:pk>/reject/", views.return_reject_view, name="reject"),
    path("<int:pk>/receive/", views.return_receive_view, name="receive"),
]
