from django.urls import path

app_name = "portal_announcements"
urlpatterns: list = []
