from django.urls import path

from . import views

app_name = "erp"

urlpatterns = [
    path("", views.sync_log, name="log"),
    path("<int:pk>/run/", views.sync_now, name="run"),
]
