"""Channel pages of the vendor portal: sell-through per partner and SKU, diversions (窜货)."""

from django.urls import path

from . import sellthrough_views as views

app_name = "sellthrough"

urlpatterns = [
    path("", views.channel_overview, name="overview"),
    path("diversions/", views.diversion_list, name="diversions"),
]
