"""Staff pages under /<alliance>/staff/companies/ (namespace `companies`)."""

from django.urls import path

from .views import invitations, privacy, spreadsheets, staff, stories

app_name = "companies"

urlpatterns = [
    path("", staff.member_list, name="member-list"),
    path("new/", staff.company_create, name="company-create"),
    path("levels/", staff.level_list, name="level-list"),
    path("stories/", stories.story_list, name="story-list"),
    path("stories/<int:story_id>/review/", stories.story_review, name="story-review"),
    path("export.<str:fmt>", spreadsheets.member_export, name="member-export"),
    path("import/", spreadsheets.import_upload, name="import-upload"),
    path("import/template.<str:fmt>", spreadsheets.import_template, name="import-template"),
    path("import/<int:job_id>/", spreadsheets.import_preview, name="import-preview"),
    path("import/<int:job_id>/progress/", spreadsheets.import_progress, name="import-progress"),
    path("<int:pk>/", staff.company_detail, name="company-detail"),
    path("<int:pk>/edit/", staff.company_edit, name="company-edit"),
    path("<int:pk>/status/", staff.membership_status, name="membership-status"),
    path("<int:pk>/invite/", staff.membership_invite, name="membership-invite"),
    path("<int:pk>/notes/", staff.note_create, name="note-create"),
    path("<int:pk>/dialogues/", staff.dialogue_create, name="dialogue-create"),
    path("<int:pk>/dialogues/<int:dialogue_id>/done/", staff.dialogue_done, name="dialogue-done"),
    path("<int:pk>/contacts/new/", staff.contact_create, name="contact-create"),
    path("<int:pk>/contacts/<int:contact_id>/edit/", staff.contact_edit, name="contact-edit"),
    path(
        "<int:pk>/contacts/<int:contact_id>/export/",
        privacy.contact_export_view,
        name="contact-export",
    ),
    path(
        "<int:pk>/contacts/<int:contact_id>/erase/",
        privacy.contact_erase_view,
        name="contact-erase",
    ),
    path(
        "<int:pk>/contacts/<int:contact_id>/invite/",
        invitations.invitation_create,
        name="invitation-create",
    ),
    path(
        "invitations/<int:invitation_id>/resend/",
        invitations.invitation_resend,
        name="invitation-resend",
    ),
    path(
        "invitations/<int:invitation_id>/revoke/",
        invitations.invitation_revoke,
        name="invitation-revoke",
    ),
]
