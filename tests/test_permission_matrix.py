"""The permission matrix of the whole portal: every URL pattern, walked with every role.

The URL names come from the resolver itself (`discovered_names`), and a test asserts they are
exactly the rows of `ROWS`; so a new URL without a row here fails, and so does a row for a
URL that no longer exists. Each row says how to request the URL (method, address built from
the objects of the `world` fixture, POST data) and which status every role must get.

Roles (see tests/conftest.py): the anonymous visitor, the representatives of company A
(member of alliance X, Aalborg) and of company B (member of alliance Y, Aarhus), the team
leader of X (may countersign), a staff member of Y and the platform administrator
(superuser, no staff role of its own). Every object of the world belongs to alliance X and
company A, so "the other" representative and "the other" alliance's staff must never get in.

Expectations are the intended rules, not whatever the code happens to answer: a cell that
fails here is either a bug in the code or a deliberate change that must update the table.

Exclusions from the completeness check, explicitly:

* The Django admin (namespace ``admin``) generates seven addresses per registered model plus
  its own login, logout, password and catalogue views, all behind one gate
  (``AdminSite.admin_view``: active *and* ``is_staff``). That gate is checked once, through
  ``admin:index`` at /admin/; the other ``admin:*`` names are excluded (`ADMIN_EXCLUDED`).
  The admin's own permission checks per model are Django's and tested there; the portal's
  admin classes are tested in tests/partnerships/test_admin.py.
* Unnamed patterns cannot be reversed or listed by name; they are keyed here by their
  pattern text (`unnamed_key`), so they are not silently skipped either. The admin's unnamed
  catch-all is part of the admin exclusion; the media route only exists with DEBUG on.
"""

import datetime
from decimal import Decimal
from typing import NamedTuple

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLResolver, get_resolver
from django.utils import timezone

from companies.invitations import invitation_send
from companies.models import Company, ContactPerson, Dialogue, ImportJob, Story
from companies.services import membership_add, membership_invite
from emissions import reporting
from emissions import services as inventory_services
from emissions.models import (
    AllianceReport,
    Category,
    EmissionFactor,
    InventoryLine,
    Report,
    ReportBatch,
    ReportingRound,
)
from network import group_services, papers
from network.models import (
    AllianceEvent,
    AllianceNetwork,
    InspirationCase,
    Meeting,
    WorkingGroup,
)
from partnerships import services
from partnerships.documents import content_sha256
from partnerships.models import Agreement, Pledge
from partnerships.seed import ensure_starting_content

from .factories import AllianceFactory, CompanyFactory, MembershipFactory

pytestmark = pytest.mark.django_db

ROLES = ("anonymous", "rep_a", "rep_b", "staff_x", "staff_y", "admin")

# Sentinels for "302 to the login page" (with ?next=) and "302 to the admin's login page".
LOGIN = "login"
ADMIN_LOGIN = "admin-login"
LOGIN_PREFIXES = {LOGIN: "/accounts/login/?next=", ADMIN_LOGIN: "/admin/login/?next="}


def by_role(*statuses):
    """Expected status per role, in the order of ROLES."""
    return dict(zip(ROLES, statuses, strict=True))


#                          anonymous    rep_a rep_b staff_x staff_y admin
EVERYONE = by_role(200, 200, 200, 200, 200, 200)
NOT_FOUND = by_role(404, 404, 404, 404, 404, 404)
ANONYMOUS_ONLY = by_role(200, 302, 302, 302, 302, 302)  # e.g. the login page
SIGNED_IN = by_role(LOGIN, 200, 200, 200, 200, 200)
SIGNED_IN_REDIRECT = by_role(LOGIN, 302, 302, 302, 302, 302)
# Staff pages of alliance X: its staff and the platform administrator only.
STAFF_GET = by_role(LOGIN, 403, 403, 200, 403, 200)
STAFF_POST = by_role(LOGIN, 403, 403, 302, 403, 302)
# A POST with an invalid form re-renders the staff page (200) instead of redirecting.
STAFF_FORM_ERROR = STAFF_GET
# Countersigning needs a staff role with `may_countersign`; the platform admin has none.
COUNTERSIGN = by_role(LOGIN, 403, 403, 200, 403, 403)
# A representative's pages of company A's objects: 404 for everyone else, so nobody learns
# which companies, agreements or groups exist.
OWN_GET = by_role(LOGIN, 200, 404, 404, 404, 404)
OWN_POST = by_role(LOGIN, 302, 404, 404, 404, 404)
# Signing a commitment paper: a 403 page explaining who may sign, for any signed-in user
# whose companies are not current members of the paper's group.
PAPER_SIGN = by_role(LOGIN, 200, 403, 403, 403, 403)
# Platform operations: Django staff only.
PLATFORM = by_role(LOGIN, 403, 403, 403, 403, 200)
# The admin site: everybody without is_staff is sent to the admin's own login page.
ADMIN_SITE = by_role(ADMIN_LOGIN, ADMIN_LOGIN, ADMIN_LOGIN, ADMIN_LOGIN, ADMIN_LOGIN, 200)


class Row(NamedTuple):
    method: str
    url: str  # formatted with the world's objects, e.g. "{draft.pk}"
    expected: dict
    data: dict | None = None  # values formatted like the url


STAFF = "/aalborg/staff"
COMPANY = STAFF + "/companies/{company_a.pk}"
AGREEMENTS = STAFF + "/agreements"
GROUPS = STAFF + "/groups"
MY_COMPANY = "/my/companies/{company_a.pk}"
MY_AGREEMENTS = "/my/agreements"
REPORTING = STAFF + "/emissions"
MY_INVENTORIES = "/my/emissions/companies/{company_a.pk}"
MY_INVENTORY = MY_INVENTORIES + "/{inventory.year}"
STAFF_INVENTORIES = REPORTING + "/companies/{company_a.pk}"
STAFF_INVENTORY = STAFF_INVENTORIES + "/{inventory.year}"

# Rows run in this order for each role, GETs first (see `ordered_rows`), so a POST that
# changes state cannot change what a later GET sees. POSTs that change state work on objects
# of their own (e.g. `to_send`, `doomed_pledge`).
ROWS = {
    # --- Project level ------------------------------------------------------------------
    "healthz": Row("get", "/healthz", EVERYONE),
    "robots-txt": Row("get", "/robots.txt", EVERYONE),
    "sitemap": Row("get", "/sitemap.xml", EVERYONE),
    "worker-status": Row("get", "/ops/workers/", PLATFORM),
    "admin:index": Row("get", "/admin/", ADMIN_SITE),
    "home": Row("get", "/", EVERYONE),
    "accessibility": Row("get", "/accessibility/", EVERYONE),
    "privacy": Row("get", "/privacy/", EVERYONE),
    "api-docs": Row("get", "/open-data/", EVERYONE),
    "verify": Row("get", "/verify/", EVERYONE),
    # --- Accounts -----------------------------------------------------------------------
    # redirect_authenticated_user=True: a signed-in user is sent on.
    "login": Row("get", "/accounts/login/", ANONYMOUS_ONLY),
    # POST only (Django 5); logs out whoever it is and redirects to LOGOUT_REDIRECT_URL.
    "logout": Row("post", "/accounts/logout/", by_role(302, 302, 302, 302, 302, 302)),
    "password_change": Row("get", "/accounts/password/change/", SIGNED_IN),
    "password_change_done": Row("get", "/accounts/password/change/done/", SIGNED_IN),
    "password_reset": Row("get", "/accounts/password/reset/", EVERYONE),
    "password_reset_done": Row("get", "/accounts/password/reset/sent/", EVERYONE),
    # A forged link shows the "invalid link" page.
    "password_reset_confirm": Row("get", "/accounts/password/reset/Zm9v/forged-token/", EVERYONE),
    "password_reset_complete": Row("get", "/accounts/password/reset/done/", EVERYONE),
    "after-login": Row("get", "/accounts/after-login/", SIGNED_IN_REDIRECT),
    "my-account": Row("get", "/accounts/me/", SIGNED_IN),
    # Saving the notification choice sends back to "My account", valid or not.
    "notification-preferences": Row("post", "/accounts/me/notifications/", SIGNED_IN_REDIRECT),
    # The one-click link in every mail needs no sign-in; a forged token is 404 for all.
    "notification-preferences-link": Row("get", "/accounts/notifications/forged/", NOT_FOUND),
    "my-tasks": Row("get", "/my/tasks/", SIGNED_IN),
    # A new private calendar address (or none), then back to "My tasks".
    "calendar-address": Row("post", "/my/calendar/", SIGNED_IN_REDIRECT),
    # The private feed's token is its only key: an unknown one is 404 for everyone.
    "calendar-feed": Row("get", "/calendar/unknown-token.ics", NOT_FOUND),
    "network-events-feed": Row("get", "/networks/no-such-network/events.ics", NOT_FOUND),
    # The second factor (every signed-in role here has passed it or needs none): the code
    # page sends everyone on; set-up is for those without an app (the representatives),
    # turning it off only for those without a duty to use it and with an app (nobody here).
    "two-factor-verify": Row("get", "/accounts/two-factor/", SIGNED_IN_REDIRECT),
    "two-factor-setup": Row(
        "get", "/accounts/two-factor/setup/", by_role(LOGIN, 200, 200, 302, 302, 302)
    ),
    "two-factor-disable": Row(
        "get", "/accounts/two-factor/off/", by_role(LOGIN, 302, 302, 403, 403, 403)
    ),
    # A forged invitation link is "not found" for everyone.
    "invitation-accept": Row("get", "/invitation/forged-token/", NOT_FOUND),
    # --- Public pages -------------------------------------------------------------------
    "alliance-detail": Row("get", "/aalborg/", EVERYONE),
    "alliance-progress-chart": Row("get", "/aalborg/progress.svg", EVERYONE),
    # Nothing is published in this world (tests/emissions/test_published_results.py).
    "results-pdf": Row("get", "/aalborg/results.pdf", NOT_FOUND),
    "progress-chart": Row("get", "/progress.svg", EVERYONE),
    "partner-list": Row("get", "/aalborg/partners/", EVERYONE),
    "partner-detail": Row("get", "/aalborg/partners/{company_a.cvr}/", EVERYONE),
    "partner-embed": Row("get", "/aalborg/embed/", EVERYONE),
    # "Become a partner": the one public form (it sets the CSRF cookie); its thank-you page.
    "join": Row("get", "/aalborg/join/", EVERYONE),
    "join-thanks": Row("get", "/aalborg/join/thanks/", EVERYONE),
    "story-list": Row("get", "/aalborg/stories/", EVERYONE),
    "story-feed": Row("get", "/aalborg/stories/feed/", EVERYONE),
    "story-detail": Row("get", "/aalborg/stories/{story.pk}/", EVERYONE),
    "group-list": Row("get", "/aalborg/groups/", EVERYONE),
    "group-detail": Row("get", "/aalborg/groups/{group.pk}/", EVERYONE),
    "group-document": Row("get", "/aalborg/groups/{group.pk}/documents/{document.pk}/", EVERYONE),
    "paper-pdf": Row("get", "/aalborg/groups/papers/{paper.pk}/pdf/", EVERYONE),
    "case-list": Row("get", "/inspiration/", EVERYONE),
    "case-detail": Row("get", "/inspiration/{case.pk}/", EVERYONE),
    "partnership-form": Row("get", "/inspiration/forms/procurement/", EVERYONE),
    "network-list": Row("get", "/networks/", EVERYONE),
    "event-list": Row("get", "/aalborg/events/", EVERYONE),
    "event-detail": Row("get", "/aalborg/events/{event.pk}/", EVERYONE),
    "event-feed": Row("get", "/aalborg/events/feed/", EVERYONE),
    "alliance-events-feed": Row("get", "/aalborg/events.ics", EVERYONE),
    "network-detail": Row("get", "/networks/{network.slug}/", EVERYONE),
    # --- Staff: dashboard and companies -------------------------------------------------
    "staff-dashboard": Row("get", f"{STAFF}/", STAFF_GET),
    "staff-contact": Row("get", f"{STAFF}/contact/", STAFF_GET),
    "staff-lockouts": Row("get", f"{STAFF}/sign-in-lockouts/", STAFF_GET),
    "staff-lockout-unlock": Row(
        "post", f"{STAFF}/sign-in-lockouts/unlock/", STAFF_POST, {"email": "rep@alfa.example"}
    ),
    "companies:member-list": Row("get", f"{STAFF}/companies/", STAFF_GET),
    "companies:company-create": Row("get", f"{STAFF}/companies/new/", STAFF_GET),
    "companies:level-list": Row("get", f"{STAFF}/companies/levels/", STAFF_GET),
    "companies:story-list": Row("get", f"{STAFF}/companies/stories/", STAFF_GET),
    "companies:member-export": Row("get", f"{STAFF}/companies/export.csv", STAFF_GET),
    "companies:import-upload": Row("get", f"{STAFF}/companies/import/", STAFF_GET),
    "companies:import-template": Row("get", f"{STAFF}/companies/import/template.xlsx", STAFF_GET),
    "companies:import-preview": Row("get", f"{STAFF}/companies/import/{{job.pk}}/", STAFF_GET),
    "companies:import-progress": Row(
        "get", f"{STAFF}/companies/import/{{job.pk}}/progress/", STAFF_GET
    ),
    "companies:company-detail": Row("get", f"{COMPANY}/", STAFF_GET),
    "companies:company-edit": Row("get", f"{COMPANY}/edit/", STAFF_GET),
    "companies:dialogue-create": Row("get", f"{COMPANY}/dialogues/", STAFF_GET),
    "companies:contact-create": Row("get", f"{COMPANY}/contacts/new/", STAFF_GET),
    "companies:contact-edit": Row("get", f"{COMPANY}/contacts/{{contact.pk}}/edit/", STAFF_GET),
    "companies:contact-export": Row("get", f"{COMPANY}/contacts/{{contact.pk}}/export/", STAFF_GET),
    # Erasing works on a contact of its own (the erasure cannot be undone).
    "companies:contact-erase": Row(
        "post", f"{COMPANY}/contacts/{{erased_contact.pk}}/erase/", STAFF_POST, {}
    ),
    "companies:story-review": Row(
        "post",
        f"{STAFF}/companies/stories/{{submitted_story.pk}}/review/",
        STAFF_POST,
        {"decision": "approve"},
    ),
    "companies:note-create": Row("post", f"{COMPANY}/notes/", STAFF_POST, {"text": "x"}),
    "companies:dialogue-done": Row(
        "post", f"{COMPANY}/dialogues/{{dialogue.pk}}/done/", STAFF_POST, {}
    ),
    "companies:invitation-create": Row(
        "post", f"{COMPANY}/contacts/{{contact.pk}}/invite/", STAFF_POST, {"language": "da"}
    ),
    "companies:invitation-resend": Row(
        "post", f"{STAFF}/companies/invitations/{{invitation.pk}}/resend/", STAFF_POST, {}
    ),
    "companies:invitation-revoke": Row(
        "post", f"{STAFF}/companies/invitations/{{invitation.pk}}/revoke/", STAFF_POST, {}
    ),
    "companies:membership-status": Row(
        "post", f"{COMPANY}/status/", STAFF_POST, {"status": "paused"}
    ),
    # Company A shares its data with X already: the answer is a message on the company page.
    "companies:membership-invite": Row("post", f"{COMPANY}/invite/", STAFF_POST, {}),
    # --- Staff: agreements --------------------------------------------------------------
    "partnerships:agreement-list": Row("get", f"{AGREEMENTS}/", STAFF_GET),
    "partnerships:agreement-renewals": Row("get", f"{AGREEMENTS}/renewals/", STAFF_GET),
    "partnerships:agreement-create": Row("get", f"{AGREEMENTS}/new/", STAFF_GET),
    "partnerships:template-list": Row("get", f"{AGREEMENTS}/templates/", STAFF_GET),
    "partnerships:template-create": Row("get", f"{AGREEMENTS}/templates/new/", STAFF_GET),
    "partnerships:template-detail": Row(
        "get", f"{AGREEMENTS}/templates/{{template.pk}}/", STAFF_GET
    ),
    "partnerships:catalogue-list": Row("get", f"{AGREEMENTS}/catalogue/", STAFF_GET),
    "partnerships:agreement-detail": Row("get", f"{AGREEMENTS}/{{draft.pk}}/", STAFF_GET),
    "partnerships:agreement-edit": Row("get", f"{AGREEMENTS}/{{draft.pk}}/edit/", STAFF_GET),
    "partnerships:pledge-create": Row("get", f"{AGREEMENTS}/{{draft.pk}}/pledges/new/", STAFF_GET),
    "partnerships:pledge-edit": Row(
        "get", f"{AGREEMENTS}/{{draft.pk}}/pledges/{{pledge.pk}}/edit/", STAFF_GET
    ),
    # GET on an agreement the company has signed: the countersignature page.
    "partnerships:agreement-countersign": Row(
        "get", f"{AGREEMENTS}/{{signed.pk}}/countersign/", COUNTERSIGN
    ),
    # GET on an active agreement: the termination form (nothing is terminated).
    "partnerships:agreement-terminate": Row(
        "get", f"{AGREEMENTS}/{{sealed.pk}}/terminate/", STAFF_GET
    ),
    "partnerships:agreement-pdf": Row("get", f"{AGREEMENTS}/{{sealed.pk}}/pdf/", STAFF_GET),
    "partnerships:agreement-pdf-status": Row(
        "get", f"{AGREEMENTS}/{{sealed.pk}}/pdf/status/", STAFF_GET
    ),
    "partnerships:pledge-from-catalogue": Row(
        "post",
        f"{AGREEMENTS}/{{draft.pk}}/pledges/catalogue/",
        STAFF_POST,
        {"item": "{catalogue_item.pk}"},
    ),
    "partnerships:pledge-delete": Row(
        "post", f"{AGREEMENTS}/{{draft.pk}}/pledges/{{doomed_pledge.pk}}/delete/", STAFF_POST, {}
    ),
    "partnerships:comment-create": Row(
        "post", f"{AGREEMENTS}/{{draft.pk}}/comments/", STAFF_POST, {"text": "x"}
    ),
    "partnerships:agreement-send": Row(
        "post", f"{AGREEMENTS}/{{to_send.pk}}/send/", STAFF_POST, {}
    ),
    "partnerships:agreement-reopen": Row(
        "post", f"{AGREEMENTS}/{{to_reopen.pk}}/reopen/", STAFF_POST, {}
    ),
    "partnerships:agreement-amend": Row(
        "post", f"{AGREEMENTS}/{{sealed.pk}}/amend/", STAFF_POST, {}
    ),
    # --- Staff: working groups, papers and cases ----------------------------------------
    "groups:group-list": Row("get", f"{GROUPS}/", STAFF_GET),
    "groups:group-create": Row("get", f"{GROUPS}/new/", STAFF_GET),
    "groups:case-list": Row("get", f"{GROUPS}/cases/", STAFF_GET),
    "groups:case-create": Row("get", f"{GROUPS}/cases/new/", STAFF_GET),
    "groups:case-edit": Row("get", f"{GROUPS}/cases/{{case.pk}}/edit/", STAFF_GET),
    "groups:group-detail": Row("get", f"{GROUPS}/{{group.pk}}/", STAFF_GET),
    "groups:group-edit": Row("get", f"{GROUPS}/{{group.pk}}/edit/", STAFF_GET),
    "groups:meeting-create": Row("get", f"{GROUPS}/{{group.pk}}/meetings/new/", STAFF_GET),
    "groups:meeting-edit": Row(
        "get", f"{GROUPS}/{{group.pk}}/meetings/{{meeting.pk}}/edit/", STAFF_GET
    ),
    "groups:document-download": Row(
        "get", f"{GROUPS}/{{group.pk}}/documents/{{document.pk}}/", STAFF_GET
    ),
    "groups:paper-create": Row("get", f"{GROUPS}/{{group.pk}}/papers/new/", STAFF_GET),
    "groups:paper-detail": Row("get", f"{GROUPS}/papers/{{paper.pk}}/", STAFF_GET),
    "groups:paper-edit": Row("get", f"{GROUPS}/papers/{{draft_paper.pk}}/edit/", STAFF_GET),
    "groups:paper-pdf": Row("get", f"{GROUPS}/papers/{{paper.pk}}/pdf/", STAFF_GET),
    # Empty forms: refused, and the group page is shown again with the errors.
    "groups:chair-change": Row("post", f"{GROUPS}/{{group.pk}}/chair/", STAFF_FORM_ERROR, {}),
    "groups:member-add": Row("post", f"{GROUPS}/{{group.pk}}/members/", STAFF_FORM_ERROR, {}),
    "groups:document-upload": Row(
        "post", f"{GROUPS}/{{group.pk}}/documents/new/", STAFF_FORM_ERROR, {}
    ),
    "groups:member-leave": Row(
        "post", f"{GROUPS}/{{group.pk}}/members/{{leaving_member.pk}}/leave/", STAFF_POST, {}
    ),
    "groups:document-publish": Row(
        "post",
        f"{GROUPS}/{{group.pk}}/documents/{{unpublished_document.pk}}/publish/",
        STAFF_POST,
        {},
    ),
    "groups:paper-publish": Row(
        "post", f"{GROUPS}/papers/{{paper_to_publish.pk}}/publish/", STAFF_POST, {}
    ),
    "groups:paper-close": Row(
        "post", f"{GROUPS}/papers/{{paper_to_close.pk}}/close/", STAFF_POST, {}
    ),
    # --- A representative's own pages ---------------------------------------------------
    "my:company-detail": Row("get", f"{MY_COMPANY}/", OWN_GET),
    "my:company-edit": Row("get", f"{MY_COMPANY}/edit/", OWN_GET),
    "my:contact-create": Row("get", f"{MY_COMPANY}/contacts/new/", OWN_GET),
    "my:contact-edit": Row("get", f"{MY_COMPANY}/contacts/{{contact.pk}}/edit/", OWN_GET),
    "my:story-create": Row("get", f"{MY_COMPANY}/stories/new/", OWN_GET),
    "my:membership-answer": Row(
        "post",
        f"{MY_COMPANY}/memberships/{{open_invitation.pk}}/answer/",
        OWN_POST,
        {"answer": "decline"},
    ),
    "my-agreements:agreement-detail": Row("get", f"{MY_AGREEMENTS}/{{draft.pk}}/", OWN_GET),
    # GET on an agreement awaiting the company's signature: the signing page.
    "my-agreements:agreement-sign": Row("get", f"{MY_AGREEMENTS}/{{sent.pk}}/sign/", OWN_GET),
    "my-agreements:pledge-create": Row(
        "get", f"{MY_AGREEMENTS}/{{draft.pk}}/pledges/new/", OWN_GET
    ),
    "my-agreements:pledge-edit": Row(
        "get", f"{MY_AGREEMENTS}/{{draft.pk}}/pledges/{{pledge.pk}}/edit/", OWN_GET
    ),
    "my-agreements:agreement-pdf": Row("get", f"{MY_AGREEMENTS}/{{sealed.pk}}/pdf/", OWN_GET),
    "my-agreements:agreement-pdf-status": Row(
        "get", f"{MY_AGREEMENTS}/{{sealed.pk}}/pdf/status/", OWN_GET
    ),
    "my-agreements:comment-create": Row(
        "post", f"{MY_AGREEMENTS}/{{draft.pk}}/comments/", OWN_POST, {"text": "x"}
    ),
    "my-agreements:pledge-from-catalogue": Row(
        "post",
        f"{MY_AGREEMENTS}/{{draft.pk}}/pledges/catalogue/",
        OWN_POST,
        {"item": "{catalogue_item.pk}"},
    ),
    "my-agreements:pledge-delete": Row(
        "post",
        f"{MY_AGREEMENTS}/{{draft.pk}}/pledges/{{rep_doomed_pledge.pk}}/delete/",
        OWN_POST,
        {},
    ),
    # Lists the groups of the user's own companies: empty, but fine, for anyone signed in.
    "my-groups:group-list": Row("get", "/my/groups/", SIGNED_IN),
    "my-groups:group-detail": Row("get", "/my/groups/{group.pk}/", OWN_GET),
    # Members may read the group's unpublished documents too.
    "my-groups:document-download": Row(
        "get", "/my/groups/{group.pk}/documents/{unpublished_document.pk}/", OWN_GET
    ),
    "my-groups:paper-sign": Row("get", "/my/groups/papers/{paper.pk}/sign/", PAPER_SIGN),
    # Company A has not signed the paper: refused with a message (302 back to the group).
    # Company B's representative posts company A, which is not one of theirs: the form is
    # refused the same way (302, nothing changes; the paper is public anyway). Users who
    # represent no company at all get 404.
    "my-groups:paper-to-pledge": Row(
        "post",
        "/my/groups/papers/{paper.pk}/pledge/",
        by_role(LOGIN, 302, 302, 404, 404, 404),
        {"company": "{company_a.pk}"},
    ),
    # --- Emissions: the yearly reporting round (staff) ------------------------------------
    "emissions:round-list": Row("get", f"{REPORTING}/rounds/", STAFF_GET),
    "emissions:round-open": Row("get", f"{REPORTING}/rounds/new/", STAFF_GET),
    "emissions:round-detail": Row("get", f"{REPORTING}/rounds/{{reporting_round.pk}}/", STAFF_GET),
    "emissions:report-review": Row("get", f"{REPORTING}/reports/{{report.pk}}/", STAFF_GET),
    "emissions:round-close": Row(
        "post", f"{REPORTING}/rounds/{{round_to_close.pk}}/close/", STAFF_POST, {}
    ),
    "emissions:report-approve": Row(
        "post", f"{REPORTING}/reports/{{submitted_report.pk}}/approve/", STAFF_POST, {}
    ),
    # Empty forms (no comment, no date): refused, and the review page is shown again.
    "emissions:report-return": Row(
        "post", f"{REPORTING}/reports/{{submitted_report.pk}}/return/", STAFF_FORM_ERROR, {}
    ),
    "emissions:report-extend": Row(
        "post", f"{REPORTING}/reports/{{report.pk}}/extend/", STAFF_FORM_ERROR, {}
    ),
    # --- Emissions: the company's yearly report (representative) --------------------------
    "my-emissions:report-edit": Row("get", "/my/emissions/reports/{report.pk}/", OWN_GET),
    "my-emissions:report-preview": Row(
        "get", "/my/emissions/reports/{report.pk}/preview/", OWN_GET
    ),
    # The report is still empty: refused, and the preview lists what is missing (200).
    "my-emissions:report-submit": Row(
        "post",
        "/my/emissions/reports/{report.pk}/submit/",
        OWN_GET,
        {"version": "{report.version}"},
    ),
    # --- Emissions: dashboard, charts, exports and PDFs (staff) ----------------------------
    "emissions:dashboard": Row("get", f"{REPORTING}/", STAFF_GET),
    "emissions:alliance-chart": Row("get", f"{REPORTING}/chart.svg", STAFF_GET),
    "emissions:company-chart": Row(
        "get", f"{REPORTING}/companies/{{company_a.pk}}/chart.svg", STAFF_GET
    ),
    "emissions:export": Row("get", f"{REPORTING}/export.csv", STAFF_GET),
    "emissions:round-pdfs": Row("get", f"{REPORTING}/rounds/{{pdf_round.pk}}/pdfs/", STAFF_GET),
    "emissions:batch-progress": Row(
        "get", f"{REPORTING}/batches/{{batch.pk}}/progress/", STAFF_GET
    ),
    "emissions:report-pdf": Row(
        "get", f"{REPORTING}/reports/{{approved_report.pk}}/pdf/", STAFF_GET
    ),
    "emissions:annual-report-status": Row(
        "get", f"{REPORTING}/annual/{{pdf_round.year}}/status/", STAFF_GET
    ),
    "emissions:annual-report-pdf": Row(
        "get", f"{REPORTING}/annual/{{pdf_round.year}}/pdf/", STAFF_GET
    ),
    # A batch is running already: refused with a message, back to the PDF page (302).
    "emissions:batch-start": Row(
        "post", f"{REPORTING}/rounds/{{pdf_round.pk}}/pdfs/start/", STAFF_POST, {}
    ),
    "emissions:batch-requeue": Row(
        "post", f"{REPORTING}/batches/{{batch.pk}}/requeue/", STAFF_POST, {}
    ),
    "emissions:report-pdf-regenerate": Row(
        "post", f"{REPORTING}/reports/{{approved_report.pk}}/pdf/regenerate/", STAFF_POST, {}
    ),
    "emissions:annual-report-generate": Row(
        "post", f"{REPORTING}/annual/{{pdf_round.year}}/generate/", STAFF_POST, {}
    ),
    "emissions:results": Row("get", f"{REPORTING}/results/", STAFF_GET),
    "emissions:results-status": Row("get", f"{REPORTING}/results/status/", STAFF_GET),
    "emissions:results-publish": Row("post", f"{REPORTING}/results/publish/", STAFF_POST, {}),
    # --- Emissions: a representative's chart and report PDF; the public chart ------------
    "my-emissions:company-chart": Row(
        "get", "/my/emissions/companies/{company_a.pk}/chart.svg", OWN_GET
    ),
    "my-emissions:report-pdf": Row(
        "get", "/my/emissions/reports/{approved_report.pk}/pdf/", OWN_GET
    ),
    # Company A publishes its figures (see the world).
    "partner-emissions-chart": Row(
        "get", "/aalborg/partners/{company_a.cvr}/emissions.svg", EVERYONE
    ),
    # --- Emissions: climate accounts (representative) ------------------------------------
    "my-emissions:inventory-list": Row("get", f"{MY_INVENTORIES}/", OWN_GET),
    "my-emissions:inventory-create": Row("get", f"{MY_INVENTORIES}/new/", OWN_GET),
    "my-emissions:inventory-detail": Row("get", f"{MY_INVENTORY}/", OWN_GET),
    "my-emissions:line-create": Row("get", f"{MY_INVENTORY}/lines/new/", OWN_GET),
    "my-emissions:line-edit": Row("get", f"{MY_INVENTORY}/lines/{{inventory_line.pk}}/", OWN_GET),
    "my-emissions:inventory-export": Row("get", f"{MY_INVENTORY}/export.xlsx", OWN_GET),
    "my-emissions:inventory-import": Row("get", f"{MY_INVENTORY}/import/", OWN_GET),
    "my-emissions:attachment-download": Row("get", f"{MY_INVENTORY}/report.pdf", OWN_GET),
    "my-emissions:inventory-baseline": Row(
        "post",
        f"{MY_INVENTORY}/baseline/",
        OWN_POST,
        {"baseline": "set", "version": "{inventory.version}"},
    ),
    "my-emissions:line-delete": Row(
        "post",
        f"{MY_INVENTORY}/lines/{{doomed_line.pk}}/delete/",
        OWN_POST,
        {"version": "{inventory.version}"},
    ),
    # No file: refused with a message, back to the year page (302).
    "my-emissions:attachment-upload": Row("post", f"{MY_INVENTORY}/report/", OWN_POST, {}),
    # --- Emissions: climate accounts (staff, read-only, and verification) -----------------
    "emissions:inventory-list": Row("get", f"{STAFF_INVENTORIES}/", STAFF_GET),
    "emissions:inventory-detail": Row("get", f"{STAFF_INVENTORY}/", STAFF_GET),
    "emissions:inventory-export": Row("get", f"{STAFF_INVENTORY}/export.csv", STAFF_GET),
    "emissions:attachment-download": Row("get", f"{STAFF_INVENTORY}/report.pdf", STAFF_GET),
    "emissions:inventory-verify": Row(
        "post", f"{STAFF_INVENTORY}/verify/", STAFF_POST, {"method": "Stikprøve af fakturaer"}
    ),
    # --- Open data API (read-only, public) ----------------------------------------------
    "api:root": Row("get", "/api/v1/", EVERYONE),
    "api:alliance-list": Row("get", "/api/v1/alliances/", EVERYONE),
    "api:alliance-detail": Row("get", "/api/v1/alliances/aalborg/", EVERYONE),
    "api:alliance-partners-csv": Row("get", "/api/v1/alliances/aalborg/partners.csv", EVERYONE),
    "api:partner-list": Row("get", "/api/v1/partners/", EVERYONE),
    "api:partner-detail": Row("get", "/api/v1/partners/{company_a.cvr}/", EVERYONE),
    "api:pledge-list": Row("get", "/api/v1/pledges/", EVERYONE),
    "api:totals": Row("get", "/api/v1/totals/", EVERYONE),
    "api:progress": Row("get", "/api/v1/progress/", EVERYONE),
    "api:catalog": Row("get", "/api/v1/catalog.jsonld", EVERYONE),
    "api:catalog-ttl": Row("get", "/api/v1/catalog.ttl", EVERYONE),
    "api:catalog-rdf": Row("get", "/api/v1/catalog.rdf", EVERYONE),
    "api:progress-csv": Row("get", "/api/v1/progress.csv", EVERYONE),
    "api:group-list": Row("get", "/api/v1/groups/", EVERYONE),
    "api:paper-list": Row("get", "/api/v1/papers/", EVERYONE),
    "api:case-list": Row("get", "/api/v1/cases/", EVERYONE),
    "api:partnership-form-list": Row("get", "/api/v1/partnership-forms/", EVERYONE),
    "api:network-list": Row("get", "/api/v1/networks/", EVERYONE),
    "api:schema": Row("get", "/api/v1/schema/", EVERYONE),
    "api:docs": Row("get", "/api/v1/docs/", EVERYONE),
    "api:redoc": Row("get", "/api/v1/redoc/", EVERYONE),
    # Open to everyone, reads only; without a file the answer is a 400 naming the field.
    # Public uploads (logos, story images); nothing here for this name.
    "media": Row("get", "/media/companies/logos/none.png", NOT_FOUND),
    "api:verify": Row("post", "/api/v1/verify/", by_role(400, 400, 400, 400, 400, 400), {}),
    # The API's catch-all: a JSON 404 for any other address under /api/v1/.
    r"api:[^(?P<path>[\s\S]*)$]": Row("get", "/api/v1/no-such-thing/", NOT_FOUND),
}


# --- Discovering the URLs ------------------------------------------------------------------


def unnamed_key(namespace, pattern):
    return f"{namespace}[{pattern.pattern}]"


def discovered_names(resolver=None, namespace=""):
    """Every URL pattern below `resolver`, by its namespace-qualified name (or, unnamed, by
    its pattern text)."""
    resolver = resolver or get_resolver()
    names = set()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            names |= discovered_names(pattern, inner)
        else:
            names.add(
                f"{namespace}{pattern.name}" if pattern.name else unnamed_key(namespace, pattern)
            )
    return names


def is_admin_excluded(name):
    """Every admin address except the index, which stands for the admin's one gate."""
    return name.startswith("admin:") and name != "admin:index"


def test_every_url_of_the_project_has_a_row():
    names = discovered_names()
    assert "admin:index" in names
    assert {name for name in names if is_admin_excluded(name)}, "the admin is not mounted"
    checked = {name for name in names if not is_admin_excluded(name)}
    assert sorted(checked - set(ROWS)) == [], "URLs without a row in the permission matrix"
    assert sorted(set(ROWS) - checked) == [], "rows for URLs that no longer exist"


def test_every_row_expects_a_status_for_every_role():
    for name, row in ROWS.items():
        assert tuple(row.expected) == ROLES, name
        assert row.method in {"get", "post"}, name


# --- The world -----------------------------------------------------------------------------

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
DAY = datetime.date(2025, 3, 1)
PAPER_TEXT = (
    "Vi omstiller vores personbilflåde til nulemission inden 2030 og arbejder med pendling."
)
USER_AGENT = "Mozilla/5.0 (X11; Linux x86_64) KlimaTest/1.0"


class World(dict):
    """The objects the rows' addresses name; `"{draft.pk}".format_map(world)`."""

    def __getattr__(self, name):
        return self[name]


def _draft(alliance, company, staff, *titles):
    agreement = services.agreement_create(
        alliance=alliance, company=company, by=staff, focus_areas=["energy"]
    )
    pledges = [
        Pledge.objects.create(
            agreement=agreement,
            order=order,
            title=title,
            focus_area="energy",
            scopes=[1, 2],
            metric="t CO2e",
            baseline_year=2022,
            baseline_value=Decimal("1200"),
            target_year=2030,
            target_value=Decimal("600"),
        )
        for order, title in enumerate(titles, 1)
    ]
    return agreement, pledges


def _sent(alliance, company, staff):
    agreement, _ = _draft(alliance, company, staff, "Halver udledningen")
    return services.agreement_send(agreement=agreement, by=staff)


def _signed(alliance, company, rep, staff):
    agreement = _sent(alliance, company, staff)
    services.agreement_sign(
        agreement=agreement,
        user=rep,
        typed_name="Anna Alfa",
        title="CEO",
        seen_sha256=content_sha256(agreement),
        ip="203.0.113.7",
        user_agent=USER_AGENT,
    )
    agreement.refresh_from_db()
    return agreement


def _pdf(name):
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


@pytest.fixture
def world(
    settings,
    tmp_path,
    alliance,
    company_a,
    roles,
    django_capture_on_commit_callbacks,
):
    """Something of alliance X and company A behind every address with a parameter."""
    settings.MEDIA_ROOT = str(tmp_path)
    staff_x, rep_a = roles["staff_x"], roles["rep_a"]
    world = World(company_a=company_a)

    # Companies: contacts, an invitation, dialogue, stories and an import job.
    world.update(
        contact=ContactPerson.objects.create(company=company_a, name="Kim", email="kim@alfa.dk"),
        erased_contact=ContactPerson.objects.create(
            company=company_a, name="Eva", email="eva@alfa.dk"
        ),
        dialogue=Dialogue.objects.create(
            alliance=alliance,
            company=company_a,
            kind="phone",
            date=timezone.localdate(),
            summary="Opkald",
        ),
        story=Story.objects.create(
            alliance=alliance,
            company=company_a,
            title="Grøn strøm",
            text="x",
            status=Story.Status.APPROVED,
        ),
        submitted_story=Story.objects.create(
            alliance=alliance, company=company_a, title="Cykler", text="x"
        ),
        job=ImportJob.objects.create(
            alliance=alliance,
            original_name="x.csv",
            file="imports/x.csv",
            status=ImportJob.Status.DONE,
        ),
    )
    invited = ContactPerson.objects.create(company=company_a, name="Ida", email="ida@alfa.dk")
    world["invitation"] = invitation_send(
        alliance=alliance, contact=invited, by=staff_x, language="da"
    )

    # Agreements: the starting template and catalogue, one agreement in every state needed.
    ensure_starting_content(alliance)
    world["template"] = services.current_template(alliance)
    world["catalogue_item"] = alliance.catalogue_items.first()
    draft, (pledge, doomed, rep_doomed) = _draft(
        alliance, company_a, staff_x, "Halver udledningen", "Slettes af staff", "Slettes af rep"
    )
    world.update(draft=draft, pledge=pledge, doomed_pledge=doomed, rep_doomed_pledge=rep_doomed)
    world["to_send"], _ = _draft(alliance, company_a, staff_x, "Sendes")
    world["sent"] = _sent(alliance, company_a, staff_x)
    world["to_reopen"] = _sent(alliance, company_a, staff_x)
    world["signed"] = _signed(alliance, company_a, rep_a, staff_x)
    sealed = _signed(alliance, company_a, rep_a, staff_x)
    with django_capture_on_commit_callbacks(execute=True):  # the PDF job runs eagerly
        services.agreement_countersign(
            agreement=sealed,
            user=staff_x,
            typed_name="Lars Leder",
            title="Teamleder",
            seen_sha256=content_sha256(sealed),
            ip="198.51.100.2",
            user_agent=USER_AGENT,
        )
    sealed.refresh_from_db()
    assert sealed.status == Agreement.Status.ACTIVE and sealed.pdf
    world["sealed"] = sealed

    # Working groups: company A is chair and member; documents, a meeting and papers.
    group = WorkingGroup.objects.create(
        alliance=alliance, name="Grøn mobilitet", theme="mobility", status="active"
    )
    group_services.member_add(group=group, company=company_a, on=DAY)
    group_services.chair_set(group=group, company=company_a, on=DAY)
    gamma = MembershipFactory(alliance=alliance, company=CompanyFactory(legal_name="Gamma A/S"))
    world["leaving_member"] = group_services.member_add(group=group, company=gamma.company, on=DAY)
    document = group_services.document_add(group=group, title="Guide", file=_pdf("guide.pdf"))
    group_services.document_set_published(document=document, published=True)
    world.update(
        group=group,
        document=document,
        unpublished_document=group_services.document_add(
            group=group, title="Referat", file=_pdf("referat.pdf")
        ),
        meeting=Meeting.objects.create(group=group, date=DAY, agenda="Opstart"),
    )

    def paper(title):
        return papers.paper_create(
            group=group, title=title, text=PAPER_TEXT, focus_area="transport", target_year=2030
        )

    open_paper = paper("Nulemission 2030")
    paper_to_close = paper("Samkørsel")
    with django_capture_on_commit_callbacks(execute=True):  # the PDF job runs eagerly
        papers.paper_publish(paper=open_paper)
        papers.paper_publish(paper=paper_to_close)
    open_paper.refresh_from_db()
    assert open_paper.pdf
    world.update(
        paper=open_paper,
        paper_to_close=paper_to_close,
        draft_paper=paper("Cykelparkering"),
        paper_to_publish=paper("Elcykler"),
    )

    # The inspiration catalogue and a network of municipalities.
    world["case"] = InspirationCase.objects.create(
        alliance=alliance,
        title="Fælles varekørsel",
        municipality=alliance.municipality,
        partnership_form="procurement",
        focus_area="transport",
        what_was_done="Samlet kørsel.",
        created_by=staff_x,
    )
    world["network"] = AllianceNetwork.objects.create(name="DK2020", slug="dk2020")
    world["event"] = AllianceEvent.objects.create(
        alliance=alliance, title="Klimatopmøde", date=DAY, place="Aalborg Kongres & Kultur Center"
    )

    # A third alliance has invited company A to join (company A has not answered).
    odense = AllianceFactory(slug="odense", municipality_code="0461")
    world["open_invitation"] = membership_invite(
        membership=membership_add(alliance=odense, company=company_a), by=None
    )

    # The yearly reporting round: company A's report (a draft) and Gamma's (submitted);
    # an older round to close.
    last_year = timezone.localdate().year - 1
    deadline = timezone.localdate() + datetime.timedelta(days=30)
    reporting_round = reporting.round_open(
        alliance=alliance, year=last_year, deadline=deadline, by=staff_x
    )
    submitted_report = reporting_round.reports.get(company=gamma.company)
    Report.objects.filter(pk=submitted_report.pk).update(status=Report.Status.SUBMITTED)
    world.update(
        reporting_round=reporting_round,
        report=reporting_round.reports.get(company=company_a),
        submitted_report=submitted_report,
        round_to_close=reporting.round_open(
            alliance=alliance, year=last_year - 1, deadline=deadline, by=staff_x
        ),
    )

    # Report PDFs: an older round with company A's approved report and its PDF, a batch
    # still running and the alliance's annual report; company A publishes its figures.
    pdf_round = ReportingRound.objects.create(
        alliance=alliance, year=last_year - 2, deadline=DAY, status=ReportingRound.Status.CLOSED
    )
    approved_report = Report.objects.create(
        round=pdf_round, company=company_a, status=Report.Status.APPROVED
    )
    approved_report.pdf.save("report.pdf", ContentFile(PDF), save=False)
    approved_report.save(update_fields=["pdf"])
    annual = AllianceReport.objects.create(
        alliance=alliance, year=pdf_round.year, generated_at=timezone.now()
    )
    annual.pdf.save("annual.pdf", ContentFile(PDF), save=False)
    annual.save(update_fields=["pdf"])
    Company.objects.filter(pk=company_a.pk).update(publishes_figures=True)
    world.update(
        pdf_round=pdf_round,
        approved_report=approved_report,
        batch=ReportBatch.objects.create(round=pdf_round, started_by=staff_x, total=1),
    )

    # Climate accounts: company A's 2020 (not approved), with two lines and its own report.
    inventory = inventory_services.inventory_create(company=company_a, year=2020)
    electricity = EmissionFactor.objects.get(activity="electricity", year=2023, supplier="")

    def inventory_line(description):
        inventory.refresh_from_db()
        line = InventoryLine(
            inventory=inventory,
            category=Category.ELECTRICITY,
            description=description,
            factor=electricity,
            quantity=Decimal(100),
            unit="MWh",
        )
        return inventory_services.line_save(line=line, seen_version=inventory.version)

    world.update(inventory_line=inventory_line("El"), doomed_line=inventory_line("Slettes"))
    inventory_services.inventory_attach(inventory=inventory, file=_pdf("klimarapport.pdf"))
    inventory.refresh_from_db()
    world["inventory"] = inventory
    return world


# --- The matrix ----------------------------------------------------------------------------


def ordered_rows():
    """GETs first, then POSTs, each in table order (POSTs may change state)."""
    return sorted(ROWS.items(), key=lambda item: item[1].method != "get")


def mismatch(response, expected):
    """None if `response` is what `expected` describes, else what it was instead."""
    status = response.status_code
    if expected in LOGIN_PREFIXES:
        location = response.get("Location", "")
        if status == 302 and location.startswith(LOGIN_PREFIXES[expected]):
            return None
        return f"{status} {location}".strip()
    return None if status == expected else str(status)


@pytest.mark.parametrize("role", ROLES)
def test_permission_matrix(client, roles, world, role):
    """Every row with one role; one failure message lists every wrong cell."""
    failures = []
    for name, row in ordered_rows():
        client.logout()
        if roles[role] is not None:
            client.force_login(roles[role])
        url = row.url.format_map(world)
        data = {key: str(value).format_map(world) for key, value in (row.data or {}).items()}
        expected = row.expected[role]
        try:
            response = getattr(client, row.method)(url, data)
        except Exception as error:  # a 500: report the cell, keep walking
            failures.append(
                f"{name} {row.method.upper()} {url}: raised {error!r}, expected {expected}"
            )
            continue
        found = mismatch(response, expected)
        # Not response.close(): it fires request_finished, whose close_old_connections
        # would close the test's PostgreSQL connection inside its transaction.
        if getattr(response, "streaming", False):
            for closer in response._resource_closers:
                closer()
        if found is not None:
            failures.append(f"{name} {row.method.upper()} {url}: {found}, expected {expected}")
    assert failures == []
