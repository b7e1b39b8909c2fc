"""The partner portal's wallet: balances, entries, top-up requests and their proofs."""

from django.urls import path

from . import ledger_views as views

app_name = "portal_ledger"

urlpatterns = [
    path("", views.my_wallet, name="wallet"),
    path("top-ups/<int:pk>/proof/", views.my_top_up_proof, name="top_up_proof"),
]
