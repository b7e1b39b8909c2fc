from django.urls import path

app_name = "portal_support"
urlpatterns: list = []
