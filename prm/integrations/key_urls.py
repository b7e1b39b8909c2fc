from django.urls import path

from . import key_views

app_name = "api_keys"

urlpatterns = [
    path("", key_views.key_list, name="list"),
    path("new/", key_views.key_new, name="new"),
    path("<int:pk>/revoke/", key_views.key_revoke, name="revoke"),
]
