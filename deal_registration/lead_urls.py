"""Lead pages of the vendor portal: the list with conversion, a new lead, one lead's actions."""

from django.urls import path

from . import lead_views as views

app_name = "leads"

urlpatterns = [
    path("", views.lead_list, name="list"),
    path("new/", views.lead_new, name="new"),
    path("<int:pk>/", views.lead_detail, name="detail"),
    path("<int:pk>/route/", views.lead_route_view, name="route"),
    path("<int:pk>/offer/", views.lead_offer_view, name="offer"),
    path("<int:pk>/close/", views.lead_close_view, name="close"),
]
