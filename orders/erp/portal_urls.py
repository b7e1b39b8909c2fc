from django.urls import path

from . import views

app_name = "portal_invoices"

urlpatterns = [path("", views.my_invoices, name="list")]
