"""Support ticket pages of the partner portal."""

from django.urls import path

from . import portal_views as views

app_name = "portal_support"

urlpatterns = [
    path("", views.my_tickets, name="list"),
    path("new/", views.my_ticket_new, name="new"),
    path("<int:pk>/", views.my_ticket_detail, name="detail"),
    path("<int:pk>/reply/", views.my_ticket_reply, name="reply"),
    path("<int:pk>/confirm/", views.my_ticket_confirm, name="confirm"),
    path("<int:pk>/reopen/", views.my_ticket_reopen, name="reopen"),
    path("files/<int:pk>/", views.my_attachment, name="attachment"),
]
