"""A representative's own pages under /my/ (namespace `my`, completed by `portal.urls`)."""

from django.urls import path

from .views import representative, stories

urlpatterns = [
    path("companies/<int:pk>/edit/", representative.company_edit, name="company-edit"),
    path(
        "companies/<int:pk>/memberships/<int:membership_id>/answer/",
        representative.membership_answer,
        name="membership-answer",
    ),
    path("companies/<int:pk>/stories/new/", stories.story_create, name="story-create"),
    path("companies/<int:pk>/contacts/new/", representative.contact_create, name="contact-create"),
    path(
        "companies/<int:pk>/contacts/<int:contact_id>/edit/",
        representative.contact_edit,
        name="contact-edit",
    ),
]
