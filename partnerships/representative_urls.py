"""A representative's agreement pages under /my/agreements/ (namespace `my-agreements`)."""

from django.urls import path

from .views import representative as views

app_name = "my-agreements"

urlpatterns = [
    path("<int:pk>/", views.agreement_detail, name="agreement-detail"),
    path("<int:pk>/sign/", views.agreement_sign, name="agreement-sign"),
    path("<int:pk>/comments/", views.comment_create, name="comment-create"),
    path("<int:pk>/pledges/new/", views.pledge_create, name="pledge-create"),
    path("<int:pk>/pledges/catalogue/", views.pledge_from_catalogue, name="pledge-from-catalogue"),
    path("<int:pk>/pledges/<int:pledge_id>/edit/", views.pledge_edit, name="pledge-edit"),
    path("<int:pk>/pledges/<int:pledge_id>/delete/", views.pledge_delete, name="pledge-delete"),
    path("<int:pk>/pdf/", views.agreement_pdf, name="agreement-pdf"),
    path("<int:pk>/pdf/status/", views.agreement_pdf_status, name="agreement-pdf-status"),
]
