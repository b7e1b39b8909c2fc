from django.urls import path

from . import cockpit_views

app_name = "reports"
urlpatterns = [
    path("cockpit/", cockpit_views.cockpit, name="cockpit"),
    path("cockpit/<slug:what>/", cockpit_views.drill, name="drill"),
]
