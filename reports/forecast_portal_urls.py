from django.urls import URLPattern

app_name = "portal_forecasts"
urlpatterns: list[URLPattern] = []
