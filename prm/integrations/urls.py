from django.urls import include, path

urlpatterns = [
    path("keys/", include("prm.integrations.key_urls")),
    path("", include("prm.integrations.outbox_urls")),
]
