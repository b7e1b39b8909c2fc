"""Return pages of the partner portal: the company's returns, asking for one, following one."""

from django.urls import path

from . import returns_views as views

app_name = "portal_returns"

urlpatterns = [
    path("", views.my_return_list, name="list"),
    path("new/<int:order_pk>/", views.my_return_new, name="new"),
    path("<int:pk>/", views.my_return_detail, name="detail"),
]
