from django.urls import path

app_name = "announcements"
urlpatterns: list = []
