"""Finance pages of the vendor portal: top-ups, payments, a partner's ledger."""

from django.urls import path

from . import ledger_views as views

app_name = "ledger"

urlpatterns = [
    path("top-ups/", views.top_up_list, name="top_ups"),
    path("top-ups/<int:pk>/", views.top_up_detail, name="top_up"),
    path("top-ups/<int:pk>/proof/", views.top_up_proof, name="top_up_proof"),
    path("top-ups/<int:pk>/approve/", views.top_up_approve_view, name="top_up_approve"),
    path("top-ups/<int:pk>/reject/", views.top_up_reject_view, name="top_up_reject"),
    path("payments/new/", views.payment_new, name="payment_new"),
    path("partners/<int:partner_pk>/ledger/", views.partner_ledger, name="partner_ledger"),
]
