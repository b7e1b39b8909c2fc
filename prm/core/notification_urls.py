from django.urls import path

from . import notification_views as views

app_name = "notifications"
urlpatterns = [
    path("", views.notification_list, name="list"),
    path("<int:pk>/open", views.notification_go, name="open"),
    path("read-all", views.notification_read_all, name="read_all"),
]
