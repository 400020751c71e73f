"""Tenant isolation by content: staff of alliance Y (Aarhus) never see alliance X's
(Aalborg's) company data, on any staff page, export or chart, also after Y "adds" X's
company from the shared register.

The attacker holds a legitimate staff account in Aarhus. Every staff address of the
permission matrix (tests/test_permission_matrix.py, which discovers every URL from the
resolver) is requested under Aarhus's prefix with company A's ids; the bodies must hold none
of A's contact persons, Aalborg's notes and dialogue log, A's draft agreements, A's draft
climate figures or its change history. A positive control shows the same markers to
Aalborg's staff, so the markers are really on those pages.
"""

from decimal import Decimal

import pytest
from django.utils import timezone

from companies.models import (
    ContactPerson,
    Dialogue,
    InternalNote,
    Invitation,
    Membership,
    Representation,
)
from emissions import services as inventory_services
from emissions.models import Category, EmissionFactor, InventoryLine
from partnerships.models import Agreement

from . import test_permission_matrix as matrix
from .test_permission_matrix import ROWS, STAFF

world = matrix.world  # the permission matrix's fixture: something behind every address

pytestmark = pytest.mark.django_db

SECRETS = {
    "contact name": "Karin Fortrolig",
    "contact e-mail": "karin.fortrolig@alfa.example",
    "Aalborg's note": "NOTE-KUN-FOR-AALBORG",
    "Aalborg's dialogue": "DIALOG-KUN-FOR-AALBORG",
    "draft agreement": "UDKAST-KUN-FOR-AALBORG",
    "draft climate figures": "KLADDE-LINJE-FOR-AALBORG",
}
OTHER_STAFF = "/aarhus/staff"


@pytest.fixture
def secrets(world, alliance, company_a, roles):
    """Markers of A's and Aalborg's data on every kind of page."""
    ContactPerson.objects.create(
        company=company_a, name=SECRETS["contact name"], email=SECRETS["contact e-mail"]
    )
    InternalNote.objects.create(
        alliance=alliance, company=company_a, text=SECRETS["Aalborg's note"]
    )
    Dialogue.objects.create(
        alliance=alliance,
        company=company_a,
        kind="meeting",
        date=timezone.localdate(),
        summary=SECRETS["Aalborg's dialogue"],
    )
    Agreement.objects.filter(pk=world["draft"].pk).update(
        municipality_commitments=SECRETS["draft agreement"]
    )
    inventory = world["inventory"]
    inventory.refresh_from_db()
    line = InventoryLine(
        inventory=inventory,
        category=Category.ELECTRICITY,
        description=SECRETS["draft climate figures"],
        factor=EmissionFactor.objects.get(activity="electricity", year=2023, supplier=""),
        quantity=Decimal("987654"),
        unit="MWh",
    )
    inventory_services.line_save(line=line, seen_version=inventory.version)
    return world


def staff_urls(world, prefix):
    """Every staff GET address of the matrix, under `prefix`, with company A's objects."""
    for name, row in ROWS.items():
        if row.method == "get" and row.url.startswith(STAFF):
            yield name, (prefix + row.url.removeprefix(STAFF)).format_map(world)


def body(response) -> str:
    if getattr(response, "streaming", False):
        content = b"".join(response.streaming_content)
        for closer in response._resource_closers:
            closer()
    else:
        content = response.content
    return content.decode("utf-8", errors="replace")


def leaks(client, urls):
    """(page, what leaked) for every page that shows a secret or fails with a 500."""
    found = []
    for name, url in urls:
        response = client.get(url)
        if response.status_code >= 500:
            found.append((name, f"status {response.status_code}"))
            continue
        text = body(response)
        found += [(name, what) for what, marker in SECRETS.items() if marker in text]
    return found


def add_existing(client, company):
    return client.post(f"{OTHER_STAFF}/companies/new/", {"add_existing": company.cvr})


@pytest.mark.parametrize("added", [False, True], ids=["not added", "after add existing"])
def test_other_alliance_staff_see_none_of_the_company_data(
    client, roles, secrets, company_a, added
):
    client.force_login(roles["staff_y"])
    if added:
        response = add_existing(client, company_a)
        assert response.status_code == 302
        membership = Membership.objects.get(alliance__slug="aarhus", company=company_a)
        assert membership.status == Membership.Status.PROSPECT
        assert not membership.has_access
    assert leaks(client, staff_urls(secrets, OTHER_STAFF)) == []


def test_the_company_page_after_add_existing_shows_the_public_profile_only(
    client, roles, secrets, company_a
):
    client.force_login(roles["staff_y"])
    add_existing(client, company_a)
    page = client.get(f"{OTHER_STAFF}/companies/{company_a.pk}/")
    assert page.status_code == 200
    text = page.content.decode()
    assert company_a.legal_name in text and company_a.cvr in text
    assert "Send membership invitation" in text or "Send invitation til medlemskab" in text


def test_aalborg_staff_see_the_markers_so_the_isolation_test_can_fail(
    client, roles, secrets, company_a
):
    client.force_login(roles["staff_x"])
    pages = dict(staff_urls(secrets, STAFF))
    company_page = body(client.get(pages["companies:company-detail"]))
    for what in ("contact name", "contact e-mail", "Aalborg's note", "Aalborg's dialogue"):
        assert SECRETS[what] in company_page, what
    assert SECRETS["draft agreement"] in body(client.get(pages["partnerships:agreement-detail"]))
    assert SECRETS["draft climate figures"] in body(client.get(pages["emissions:inventory-detail"]))


def attempts(world):
    """What an attacker in Aarhus would try on company A once it is "theirs"."""
    company = f"{OTHER_STAFF}/companies/{{company_a.pk}}"
    return [
        ("edit the public profile", f"{company}/edit/", {"legal_name": "Overtaget A/S"}),
        ("add a contact", f"{company}/contacts/new/", {"name": "Mallory", "email": "m@x.dk"}),
        ("edit a contact", f"{company}/contacts/{{contact.pk}}/edit/", {"name": "M"}),
        ("invite a contact", f"{company}/contacts/{{contact.pk}}/invite/", {"language": "da"}),
        ("erase a contact", f"{company}/contacts/{{erased_contact.pk}}/erase/", {}),
        ("export a contact", f"{company}/contacts/{{contact.pk}}/export/", None),
        ("make it active", f"{company}/status/", {"status": "active"}),
    ]


def test_other_alliance_staff_cannot_take_over_an_added_company(client, roles, secrets, company_a):
    client.force_login(roles["staff_y"])
    add_existing(client, company_a)
    contacts_before = list(ContactPerson.objects.order_by("pk").values())
    representatives_before = Representation.objects.count()
    for what, url, data in attempts(secrets):
        url = url.format_map(secrets)
        response = client.get(url) if data is None else client.post(url, data)
        # 404 for the company's shared data; the status change is refused with a message.
        assert response.status_code in (302, 404), what
    company_a.refresh_from_db()
    assert company_a.legal_name != "Overtaget A/S"
    assert list(ContactPerson.objects.order_by("pk").values()) == contacts_before
    assert Representation.objects.count() == representatives_before
    membership = Membership.objects.get(alliance__slug="aarhus", company=company_a)
    assert membership.status == Membership.Status.PROSPECT
    assert not Invitation.objects.filter(alliance=membership.alliance).exists()
