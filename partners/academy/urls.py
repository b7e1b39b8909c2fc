"""Academy pages of the vendor portal."""

from django.urls import path

from . import views

app_name = "academy"

urlpatterns = [
    path("", views.course_list, name="courses"),
    path("completion/", views.completion, name="completion"),
    path("certificates/", views.certificate_list, name="certificates"),
    path("certificates/<int:pk>/certificate.pdf", views.certificate_pdf, name="certificate_pdf"),
    path("files/<int:pk>/", views.lesson_file, name="file"),
]
