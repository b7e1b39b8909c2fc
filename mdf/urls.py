"""Market fund pages of the vendor portal."""

from django.urls import path

from . import views

app_name = "mdf"

urlpatterns = [
    path("", views.request_list, name="requests"),
    path("requests/<int:pk>/", views.request_detail, name="request_detail"),
    path("requests/<int:pk>/approve/", views.request_approve_view, name="request_approve"),
    path("requests/<int:pk>/return/", views.request_return_view, name="request_return"),
    path("requests/<int:pk>/reject/", views.request_reject_view, name="request_reject"),
    path("claims/", views.claim_list, name="claims"),
    path("claims/<int:pk>/", views.claim_detail, name="claim_detail"),
    path("claims/<int:pk>/approve/", views.claim_approve_view, name="claim_approve"),
    path("claims/<int:pk>/reject/", views.claim_reject_view, name="claim_reject"),
    path("claims/<int:pk>/settle/", views.claim_settle_view, name="claim_settle"),
    path("claims/<int:pk>/settlement.pdf", views.claim_pdf, name="claim_pdf"),
    path("evidence/<int:pk>/", views.evidence_download, name="evidence_download"),
    path("funds/", views.fund_list, name="funds"),
    path("funds/<int:pk>/", views.fund_detail, name="fund_detail"),
]
