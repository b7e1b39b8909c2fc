"""Market fund pages of the partner portal."""

from django.urls import path

from . import portal_views as views

app_name = "portal_mdf"

urlpatterns = [
    path("", views.my_funds, name="home"),
    path("requests/new/", views.my_request_new, name="request_new"),
    path("requests/<int:pk>/", views.my_request_detail, name="request_detail"),
    path("requests/<int:pk>/edit/", views.my_request_edit, name="request_edit"),
    path("requests/<int:pk>/submit/", views.my_request_submit, name="request_submit"),
    path("requests/<int:pk>/cancel/", views.my_request_cancel, name="request_cancel"),
    path("requests/<int:pk>/evidence/", views.my_evidence_add, name="evidence_add"),
    path("requests/<int:pk>/claim/", views.my_claim_new, name="claim_new"),
    path("evidence/<int:pk>/", views.my_evidence_download, name="evidence_download"),
    path("claims/<int:pk>/", views.my_claim_detail, name="claim_detail"),
    path("claims/<int:pk>/settlement.pdf", views.my_claim_pdf, name="claim_pdf"),
]
