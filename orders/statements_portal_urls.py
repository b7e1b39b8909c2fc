"""The partner portal's statements: list, detail, confirm or dispute, PDF and XLSX."""

from django.urls import path

from . import statements_views as views

app_name = "portal_statements"

urlpatterns = [
    path("", views.my_statements, name="list"),
    path("<int:pk>/", views.my_statement, name="detail"),
    path("<int:pk>/confirm/", views.my_statement_confirm, name="confirm"),
    path("<int:pk>/dispute/", views.my_statement_dispute, name="dispute"),
    path("<int:pk>/pdf/", views.my_statement_pdf, name="pdf"),
    path("<int:pk>/xlsx/", views.my_statement_xlsx, name="xlsx"),
]
