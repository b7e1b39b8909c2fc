"""Statements in the vendor portal: the list, one statement, its PDF and XLSX, last month's run."""

from django.urls import path

from . import statements_views as views

app_name = "statements"

urlpatterns = [
    path("", views.statement_list, name="list"),
    path("generate/", views.statements_generate_view, name="generate"),
    path("<int:pk>/", views.statement_detail, name="detail"),
    path("<int:pk>/pdf/", views.statement_pdf_view, name="pdf"),
    path("<int:pk>/xlsx/", views.statement_xlsx_view, name="xlsx"),
]
