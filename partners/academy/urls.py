from django.urls import path

app_name = "academy"
urlpatterns: list = []
