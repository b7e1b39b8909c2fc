from django.urls import path

from . import views

app_name = "partners"

urlpatterns = [
    path("", views.partner_list, name="list"),
    path("export/", views.partner_export, name="export"),
    path("search/", views.partner_search_json, name="search"),
    path("import/", views.partner_import, name="import"),
    path("<int:pk>/", views.partner_detail, name="detail"),
    path("<int:pk>/status/", views.partner_status, name="status"),
    path("<int:pk>/edit/", views.partner_edit, name="edit"),
    path("<int:pk>/qualifications/", views.qualification_upload, name="qualification_upload"),
    path("qualifications/<int:pk>/", views.qualification_download, name="qualification"),
]
