"""Staff pages under /<alliance>/staff/groups/ (namespace `groups`)."""

from django.urls import path

from .views import cases, groups, papers

app_name = "groups"

urlpatterns = [
    path("", groups.group_list, name="group-list"),
    path("new/", groups.group_create, name="group-create"),
    path("cases/", cases.staff_case_list, name="case-list"),
    path("cases/new/", cases.case_create, name="case-create"),
    path("cases/<int:case_id>/edit/", cases.case_edit, name="case-edit"),
    path("<int:pk>/", groups.group_detail, name="group-detail"),
    path("<int:pk>/edit/", groups.group_edit, name="group-edit"),
    path("<int:pk>/chair/", groups.chair_change, name="chair-change"),
    path("<int:pk>/members/", groups.member_add, name="member-add"),
    path("<int:pk>/members/<int:member_id>/leave/", groups.member_leave, name="member-leave"),
    path("<int:pk>/meetings/new/", groups.meeting_create, name="meeting-create"),
    path("<int:pk>/meetings/<int:meeting_id>/edit/", groups.meeting_edit, name="meeting-edit"),
    path("<int:pk>/documents/new/", groups.document_upload, name="document-upload"),
    path(
        "<int:pk>/documents/<int:document_id>/", groups.document_download, name="document-download"
    ),
    path(
        "<int:pk>/documents/<int:document_id>/publish/",
        groups.document_publish,
        name="document-publish",
    ),
    path("<int:pk>/papers/new/", papers.paper_create, name="paper-create"),
    path("papers/<int:paper_id>/", papers.paper_detail, name="paper-detail"),
    path("papers/<int:paper_id>/edit/", papers.paper_edit, name="paper-edit"),
    path("papers/<int:paper_id>/publish/", papers.paper_publish, name="paper-publish"),
    path("papers/<int:paper_id>/close/", papers.paper_close, name="paper-close"),
    path("papers/<int:paper_id>/pdf/", papers.staff_paper_pdf, name="paper-pdf"),
]
