from django.urls import URLPattern

app_name = "report_subscriptions"
urlpatterns: list[URLPattern] = []
