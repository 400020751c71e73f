"""A representative's working groups under /my/groups/ (namespace `my-groups`)."""

from django.urls import path

from .views import groups, papers

app_name = "my-groups"

urlpatterns = [
    path("", groups.my_group_list, name="group-list"),
    path("<int:pk>/", groups.my_group_detail, name="group-detail"),
    path(
        "<int:pk>/documents/<int:document_id>/",
        groups.my_document_download,
        name="document-download",
    ),
    path("papers/<int:paper_id>/sign/", papers.paper_sign, name="paper-sign"),
    path("papers/<int:paper_id>/pledge/", papers.paper_to_pledge, name="paper-to-pledge"),
]
