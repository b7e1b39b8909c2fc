"""Academy pages of the partner portal."""

from django.urls import path

from . import portal_views as views

app_name = "portal_academy"

urlpatterns = [
    path("", views.my_learning, name="list"),
    path("courses/<int:pk>/", views.course_detail, name="course"),
    path("courses/<int:pk>/quiz/", views.quiz, name="quiz"),
    path("lessons/<int:pk>/", views.lesson_detail, name="lesson"),
    path("lessons/<int:pk>/complete/", views.lesson_complete_view, name="lesson_complete"),
    path("files/<int:pk>/", views.lesson_file, name="file"),
    path("attempts/<int:pk>/", views.attempt_detail, name="attempt"),
    path("certificates/", views.my_certificates, name="certificates"),
    path("certificates/<int:pk>/certificate.pdf", views.certificate_pdf, name="certificate_pdf"),
    path("team/", views.team, name="team"),
]
