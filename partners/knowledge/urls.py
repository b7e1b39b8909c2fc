"""Knowledge base pages of the vendor portal."""

from django.urls import path

from . import views

app_name = "knowledge"

urlpatterns = [
    path("", views.article_list, name="list"),
    path("new/", views.article_new, name="new"),
    path("<int:pk>/", views.article_detail, name="detail"),
    path("<int:pk>/edit/", views.article_edit, name="edit"),
    path("<int:pk>/versions/", views.article_versions, name="versions"),
    path("<int:pk>/versions/<int:number>/restore/", views.article_restore, name="restore"),
    path("<int:pk>/publish/", views.article_publish_view, name="publish"),
    path("<int:pk>/unpublish/", views.article_unpublish_view, name="unpublish"),
    path("<int:pk>/archive/", views.article_archive_view, name="archive"),
    path("<int:pk>/files/", views.attachment_add, name="attachment_add"),
    path("files/<int:pk>/", views.attachment_download, name="attachment"),
    path("files/<int:pk>/delete/", views.attachment_delete, name="attachment_delete"),
]
