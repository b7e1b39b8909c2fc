from django.urls import URLPattern

app_name = "portal_scoreboard"
urlpatterns: list[URLPattern] = []
