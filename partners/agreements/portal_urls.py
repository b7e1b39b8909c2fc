from django.urls import path

from . import views

app_name = "portal_agreements"

urlpatterns = [
    path("", views.my_agreements, name="list"),
    path("<int:pk>/", views.my_agreement, name="detail"),
    path("<int:pk>/pdf/", views.my_agreement_pdf, name="pdf"),
    path("<int:pk>/signing-record/", views.my_agreement_certificate, name="certificate"),
]
