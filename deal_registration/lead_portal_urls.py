"""Lead pages of the partner portal: leads offered to or accepted by the company, answering."""

from django.urls import path

from . import lead_views as views

app_name = "portal_leads"

urlpatterns = [
    path("", views.my_lead_list, name="list"),
    path("<int:pk>/", views.my_lead_detail, name="detail"),
    path("<int:pk>/accept/", views.my_lead_accept, name="accept"),
    path("<int:pk>/decline/", views.my_lead_decline, name="decline"),
]
