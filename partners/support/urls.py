"""Support ticket pages of the vendor portal."""

from django.urls import path

from . import views

app_name = "support"

urlpatterns = [
    path("", views.ticket_queue, name="queue"),
    path("<int:pk>/", views.ticket_detail, name="detail"),
    path("<int:pk>/reply/", views.ticket_reply_view, name="reply"),
    path("<int:pk>/assign/", views.ticket_assign_view, name="assign"),
    path("<int:pk>/triage/", views.ticket_triage_view, name="triage"),
    path("<int:pk>/resolve/", views.ticket_resolve_view, name="resolve"),
    path("<int:pk>/article/", views.ticket_article_view, name="article"),
    path("files/<int:pk>/", views.attachment_download, name="attachment"),
]
