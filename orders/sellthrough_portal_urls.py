"""The partner portal's sales pages: sell-out records, their import and the monthly stock."""

from django.urls import path

from . import sellthrough_views as views

app_name = "portal_sellthrough"

urlpatterns = [
    path("", views.my_sales, name="sales"),
    path("import/", views.my_sales_import, name="import"),
    path("stock/", views.my_stock, name="stock"),
]
