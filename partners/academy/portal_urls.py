from django.urls import path

app_name = "portal_academy"
urlpatterns: list = []
