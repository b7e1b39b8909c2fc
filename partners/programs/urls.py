from django.urls import path

from . import views

app_name = "programs"

urlpatterns = [
    path("", views.criteria, name="criteria"),
    path("proposals/", views.proposals, name="proposals"),
    path("proposals/<int:pk>/", views.proposal_detail, name="proposal"),
    path("proposals/<int:pk>/decide/", views.decide, name="decide"),
    path("runs/", views.runs, name="runs"),
    path("runs/new/", views.run_now, name="run_now"),
]
