"""Knowledge base pages of the partner portal."""

from django.urls import path

from . import portal_views as views

app_name = "portal_knowledge"

urlpatterns = [
    path("", views.article_list, name="list"),
    path("<int:pk>/", views.article_detail, name="detail"),
    path("<int:pk>/feedback/", views.article_feedback_view, name="feedback"),
    path("files/<int:pk>/", views.attachment_download, name="attachment"),
]
