from django.urls import path

from . import views

app_name = "agreements"

urlpatterns = [
    path("", views.agreement_list, name="list"),
    path("new/<int:partner_pk>/", views.agreement_new, name="new"),
    path("<int:pk>/", views.agreement_detail, name="detail"),
    path("<int:pk>/issue/", views.agreement_issue_view, name="issue"),
    path("<int:pk>/void/", views.agreement_void_view, name="void"),
    path("<int:pk>/renew/", views.agreement_renew_view, name="renew"),
    path("<int:pk>/pdf/", views.agreement_pdf_view, name="pdf"),
    path("<int:pk>/signing-record/", views.agreement_certificate_view, name="certificate"),
]
