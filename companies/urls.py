from django.urls import path

from . import views

app_name = "companies"

urlpatterns = [
    path("", views.member_list, name="member-list"),
    path("<int:pk>/", views.company_detail, name="company-detail"),
]
