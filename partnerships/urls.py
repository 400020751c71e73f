"""Staff pages under /<alliance>/staff/agreements/ (namespace `partnerships`)."""

from django.urls import path

from .views import staff

app_name = "partnerships"

urlpatterns = [
    path("", staff.agreement_list, name="agreement-list"),
    path("renewals/", staff.agreement_renewals, name="agreement-renewals"),
    path("new/", staff.agreement_create, name="agreement-create"),
    path("templates/", staff.template_list, name="template-list"),
    path("templates/new/", staff.template_create, name="template-create"),
    path("templates/<int:template_id>/", staff.template_detail, name="template-detail"),
    path("catalogue/", staff.catalogue_list, name="catalogue-list"),
    path("<int:pk>/", staff.agreement_detail, name="agreement-detail"),
    path("<int:pk>/edit/", staff.agreement_edit, name="agreement-edit"),
    path("<int:pk>/pledges/new/", staff.pledge_create, name="pledge-create"),
    path("<int:pk>/pledges/catalogue/", staff.pledge_from_catalogue, name="pledge-from-catalogue"),
    path("<int:pk>/pledges/<int:pledge_id>/edit/", staff.pledge_edit, name="pledge-edit"),
    path("<int:pk>/pledges/<int:pledge_id>/delete/", staff.pledge_delete, name="pledge-delete"),
    path("<int:pk>/comments/", staff.comment_create, name="comment-create"),
    path("<int:pk>/send/", staff.agreement_send, name="agreement-send"),
    path("<int:pk>/reopen/", staff.agreement_reopen, name="agreement-reopen"),
    path("<int:pk>/countersign/", staff.agreement_countersign, name="agreement-countersign"),
    path("<int:pk>/terminate/", staff.agreement_terminate, name="agreement-terminate"),
    path("<int:pk>/amend/", staff.agreement_amend, name="agreement-amend"),
    path("<int:pk>/pdf/", staff.agreement_pdf, name="agreement-pdf"),
    path("<int:pk>/pdf/status/", staff.agreement_pdf_status, name="agreement-pdf-status"),
]
