from django.urls import path

app_name = "portal_knowledge"
urlpatterns: list = []
