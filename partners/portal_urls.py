from django.urls import path

from . import views

app_name = "portal_partners"

urlpatterns = [
    path("company/", views.my_company, name="company"),
    path("company/qualifications/", views.my_qualification_upload, name="qualification_upload"),
    path("company/qualifications/<int:pk>/", views.my_qualification_download, name="qualification"),
    path("users/", views.my_users, name="users"),
    path("users/<int:pk>/", views.my_user_update, name="user_update"),
]
