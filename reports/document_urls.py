"""Printable reports (mounted at /reports/documents/)."""

from django.urls import path

from . import document_views as views

app_name = "report_documents"

urlpatterns = [
    path("<slug:kind>.pdf", views.document_download, name="download"),
]
