"""A representative's own pages under /my/ (namespace `my`)."""

from django.urls import path

from .views import representative, stories

app_name = "my"

urlpatterns = [
    path("companies/<int:pk>/", representative.company_detail, name="company-detail"),
    path("companies/<int:pk>/edit/", representative.company_edit, name="company-edit"),
    path("companies/<int:pk>/stories/new/", stories.story_create, name="story-create"),
    path("companies/<int:pk>/contacts/new/", representative.contact_create, name="contact-create"),
    path(
        "companies/<int:pk>/contacts/<int:contact_id>/edit/",
        representative.contact_edit,
        name="contact-edit",
    ),
]
