"""Every URL of the companies app, walked with every role.

The URL list is checked against the resolver, so a new URL without a row here fails.
"""

import pytest
from django.urls import get_resolver
from django.utils import timezone

from companies.invitations import invitation_send
from companies.models import ContactPerson, Dialogue, ImportJob, Story
from companies.services import membership_add, membership_invite
from tests.factories import AllianceFactory

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "rep_a", "rep_b", "staff_x", "staff_y", "admin"]
LOGIN = 302
# Staff pages of alliance X: only its staff and the platform administrator get in.
STAFF_GET = dict(zip(ROLES, [LOGIN, 403, 403, 200, 403, 200], strict=True))
STAFF_POST = dict(zip(ROLES, [LOGIN, 403, 403, 302, 403, 302], strict=True))
# A representative's pages of company A: its representatives only; 404 so nobody learns
# which companies exist.
OWN_COMPANY = dict(zip(ROLES, [LOGIN, 200, 404, 404, 404, 404], strict=True))


@pytest.fixture
def world(alliance, company_a, roles):
    contact = ContactPerson.objects.create(company=company_a, name="Kim", email="kim@alfa.dk")
    invited = ContactPerson.objects.create(company=company_a, name="Ida", email="ida@alfa.dk")
    invitation = invitation_send(
        alliance=alliance, contact=invited, by=roles["staff_x"], language="da"
    )
    dialogue = Dialogue.objects.create(
        alliance=alliance,
        company=company_a,
        kind="phone",
        date=timezone.localdate(),
        summary="Opkald",
    )
    story = Story.objects.create(alliance=alliance, company=company_a, title="T", text="x")
    job = ImportJob.objects.create(
        alliance=alliance, original_name="x.csv", file="imports/x.csv", status=ImportJob.Status.DONE
    )
    odense = AllianceFactory(slug="odense", municipality_code="0461")
    open_invitation = membership_invite(
        membership=membership_add(alliance=odense, company=company_a), by=None
    )
    prefix = "/aalborg/staff/companies"
    company = f"{prefix}/{company_a.pk}"
    mine = f"/my/companies/{company_a.pk}"
    return {
        # name: (method, url, data, expected by role)
        "companies:member-list": ("get", f"{prefix}/", {}, STAFF_GET),
        "companies:membership-invite": ("post", f"{company}/invite/", {}, STAFF_POST),
        "companies:company-create": ("get", f"{prefix}/new/", {}, STAFF_GET),
        "companies:level-list": ("get", f"{prefix}/levels/", {}, STAFF_GET),
        "companies:story-list": ("get", f"{prefix}/stories/", {}, STAFF_GET),
        "companies:story-review": (
            "post",
            f"{prefix}/stories/{story.pk}/review/",
            {"decision": "approve"},
            STAFF_POST,
        ),
        "companies:member-export": ("get", f"{prefix}/export.csv", {}, STAFF_GET),
        "companies:import-upload": ("get", f"{prefix}/import/", {}, STAFF_GET),
        "companies:import-template": ("get", f"{prefix}/import/template.xlsx", {}, STAFF_GET),
        "companies:import-preview": ("get", f"{prefix}/import/{job.pk}/", {}, STAFF_GET),
        "companies:import-progress": ("get", f"{prefix}/import/{job.pk}/progress/", {}, STAFF_GET),
        "companies:company-detail": ("get", f"{company}/", {}, STAFF_GET),
        "companies:company-edit": ("get", f"{company}/edit/", {}, STAFF_GET),
        "companies:membership-status": (
            "post",
            f"{company}/status/",
            {"status": "paused"},
            STAFF_POST,
        ),
        "companies:note-create": ("post", f"{company}/notes/", {"text": "x"}, STAFF_POST),
        "companies:dialogue-create": ("get", f"{company}/dialogues/", {}, STAFF_GET),
        "companies:dialogue-done": (
            "post",
            f"{company}/dialogues/{dialogue.pk}/done/",
            {},
            STAFF_POST,
        ),
        "companies:contact-create": ("get", f"{company}/contacts/new/", {}, STAFF_GET),
        "companies:contact-edit": ("get", f"{company}/contacts/{contact.pk}/edit/", {}, STAFF_GET),
        "companies:contact-export": (
            "get",
            f"{company}/contacts/{contact.pk}/export/",
            {},
            STAFF_GET,
        ),
        # GET: the page explaining the erasure (a POST would erase the contact for good).
        "companies:contact-erase": (
            "get",
            f"{company}/contacts/{contact.pk}/erase/",
            {},
            STAFF_GET,
        ),
        "companies:invitation-create": (
            "post",
            f"{company}/contacts/{contact.pk}/invite/",
            {"language": "da"},
            STAFF_POST,
        ),
        "companies:invitation-resend": (
            "post",
            f"{prefix}/invitations/{invitation.pk}/resend/",
            {},
            STAFF_POST,
        ),
        "companies:invitation-revoke": (
            "post",
            f"{prefix}/invitations/{invitation.pk}/revoke/",
            {},
            STAFF_POST,
        ),
        "my:company-detail": ("get", f"{mine}/", {}, OWN_COMPANY),
        "my:company-edit": ("get", f"{mine}/edit/", {}, OWN_COMPANY),
        "my:contact-create": ("get", f"{mine}/contacts/new/", {}, OWN_COMPANY),
        "my:contact-edit": ("get", f"{mine}/contacts/{contact.pk}/edit/", {}, OWN_COMPANY),
        "my:story-create": ("get", f"{mine}/stories/new/", {}, OWN_COMPANY),
        "my:membership-answer": (
            "post",
            f"{mine}/memberships/{open_invitation.pk}/answer/",
            {"answer": "decline"},
            dict(zip(ROLES, [LOGIN, 302, 404, 404, 404, 404], strict=True)),
        ),
        # A forged link is "not found" for everyone.
        "invitation-accept": ("get", "/invitation/forged-token/", {}, dict.fromkeys(ROLES, 404)),
    }


def url_names(namespaces):
    resolver = get_resolver()
    names = set()
    for namespace in namespaces:
        _, sub_resolver = resolver.namespace_dict[namespace]
        names |= {f"{namespace}:{p.name}" for p in sub_resolver.url_patterns if p.name}
    return names


def test_every_url_of_the_companies_app_has_a_row(world):
    assert url_names(["companies", "my"]) | {"invitation-accept"} == set(world)


@pytest.mark.parametrize("role", ROLES)
def test_permission_matrix(client, roles, world, role):
    failures = []
    for name, (method, url, data, expected) in world.items():
        client.logout()
        if roles[role]:
            client.force_login(roles[role])
        status = getattr(client, method)(url, data).status_code
        if status != expected[role]:
            failures.append(f"{name} {method.upper()} {url}: {status}, expected {expected[role]}")
    assert failures == []


def test_staff_of_one_alliance_cannot_reach_a_company_of_another_through_their_own(
    client, staff_x, company_b
):
    client.force_login(staff_x)
    for suffix in ["", "edit/", "contacts/new/", "dialogues/"]:
        assert client.get(f"/aalborg/staff/companies/{company_b.pk}/{suffix}").status_code == 404
