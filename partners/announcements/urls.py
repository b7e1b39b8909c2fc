"""Announcement pages of the vendor portal."""

from django.urls import path

from . import views

app_name = "announcements"

urlpatterns = [
    path("", views.announcement_list, name="list"),
    path("new/", views.announcement_new, name="new"),
    path("<int:pk>/", views.announcement_detail, name="detail"),
    path("<int:pk>/edit/", views.announcement_edit, name="edit"),
    path("<int:pk>/publish/", views.announcement_publish_view, name="publish"),
    path("<int:pk>/withdraw/", views.announcement_withdraw_view, name="withdraw"),
    path("<int:pk>/outstanding.csv", views.outstanding_export, name="outstanding_csv"),
    path("files/<int:pk>/", views.attachment_download, name="attachment"),
    path("files/<int:pk>/delete/", views.attachment_delete, name="attachment_delete"),
]
