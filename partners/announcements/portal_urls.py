"""Announcement pages of the partner portal."""

from django.urls import path

from . import portal_views as views

app_name = "portal_announcements"

urlpatterns = [
    path("", views.announcement_list, name="list"),
    path("<int:pk>/", views.announcement_detail, name="detail"),
    path("<int:pk>/acknowledge/", views.announcement_acknowledge_view, name="acknowledge"),
    path("files/<int:pk>/", views.attachment_download, name="attachment"),
]
