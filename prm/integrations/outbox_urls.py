"""The outbox's vendor admin pages (mounted at /integrations/)."""

from django.urls import path

from . import outbox_views as views

app_name = "outbox"

urlpatterns = [
    path("webhooks/", views.webhook_list, name="webhooks"),
    path("webhooks/new/", views.webhook_new, name="webhook_new"),
    path("webhooks/<int:pk>/", views.webhook_edit, name="webhook_edit"),
    path("webhooks/<int:pk>/deactivate/", views.webhook_deactivate, name="webhook_deactivate"),
    path("webhooks/<int:pk>/activate/", views.webhook_activate, name="webhook_activate"),
    path("webhooks/<int:pk>/test/", views.webhook_test, name="webhook_test"),
    path("channels/", views.channel_list, name="channels"),
    path("channels/new/", views.channel_new, name="channel_new"),
    path("channels/<int:pk>/", views.channel_edit, name="channel_edit"),
    path("channels/<int:pk>/deactivate/", views.channel_deactivate, name="channel_deactivate"),
    path("channels/<int:pk>/activate/", views.channel_activate, name="channel_activate"),
    path("channels/<int:pk>/test/", views.channel_test, name="channel_test"),
    path("deliveries/", views.delivery_list, name="deliveries"),
    path("deliveries/<int:pk>/replay/", views.delivery_replay_view, name="delivery_replay"),
    path("events/<uuid:pk>/", views.event_detail, name="event"),
]
