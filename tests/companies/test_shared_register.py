"""The shared company register with consent (companies/access.py), seen from every side.

Company A is registered by Aalborg (staff_x) and represented by rep_a, who may sign. Aarhus
(staff_y) adds it from the register, sends a membership invitation, and rep_a answers it.
Pages are opened under /en/ so the wording checked does not depend on the catalogue.
"""

import html

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from companies import services
from companies.invitations import invitation_accept, invitation_send
from companies.models import ContactPerson, Membership, Representation
from partnerships import services as agreements
from tests.conftest import PASSWORD
from tests.factories import RepresentationFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def secret_contact(company_a):
    return ContactPerson.objects.create(
        company=company_a, name="Karin Fortrolig", email="karin@alfa.example"
    )


@pytest.fixture
def added(client, staff_y, company_a, other_alliance):
    """Aarhus has added company A from the register: a prospect without access."""
    client.force_login(staff_y)
    client.post("/en/aarhus/staff/companies/new/", {"add_existing": company_a.cvr})
    return Membership.objects.get(alliance=other_alliance, company=company_a)


def company_page(client, company):
    return client.get(f"/en/aarhus/staff/companies/{company.pk}/").content.decode()


def test_added_company_is_a_prospect_showing_only_public_data(
    client, added, company_a, secret_contact
):
    assert added.status == Membership.Status.PROSPECT and not added.has_access
    page = company_page(client, company_a)
    assert company_a.legal_name in page
    assert "Karin Fortrolig" not in page and "karin@alfa.example" not in page
    assert "Send membership invitation" in page
    assert client.get(f"/en/aarhus/staff/companies/{company_a.pk}/edit/").status_code == 404


def test_invitation_accepted_by_a_signer_shares_the_company_data(
    client, added, company_a, rep_a, secret_contact
):
    response = client.post(f"/en/aarhus/staff/companies/{company_a.pk}/invite/", follow=True)
    assert "The membership invitation was sent" in response.content.decode()
    added.refresh_from_db()
    assert added.awaits_answer

    representative = Client()
    representative.force_login(rep_a)
    my_page = representative.get(f"/en/my/companies/{company_a.pk}/").content.decode()
    assert "Klimaalliancen Aarhus has invited the company to join." in my_page
    assert "Accept the invitation from Klimaalliancen Aarhus" in my_page
    response = representative.post(
        f"/en/my/companies/{company_a.pk}/memberships/{added.pk}/answer/",
        {"answer": "accept"},
        follow=True,
    )
    assert "now shares its data with Klimaalliancen Aarhus" in response.content.decode()
    added.refresh_from_db()
    assert added.has_access and added.access_granted_by == rep_a
    assert "Karin Fortrolig" in company_page(client, company_a)


def test_declining_returns_the_membership_to_prospect_without_access(added, rep_a, staff_y):
    services.membership_invite(membership=added, by=staff_y)
    services.membership_invitation_answer(membership=added, by=rep_a, accept=False)
    added.refresh_from_db()
    assert added.status == Membership.Status.PROSPECT and not added.has_access
    assert added.events.first().note == "The company declined the membership invitation."


def test_a_representative_who_may_not_sign_cannot_answer(added, company_a, staff_y):
    clerk = RepresentationFactory(company=company_a, may_sign=False).user
    services.membership_invite(membership=added, by=staff_y)
    client = Client()
    client.force_login(clerk)
    page = client.get(f"/en/my/companies/{company_a.pk}/").content.decode()
    assert "A person who may sign for the company answers the invitation." in page
    answer = f"/en/my/companies/{company_a.pk}/memberships/{added.pk}/answer/"
    assert client.post(answer, {"answer": "accept"}).status_code == 404
    with pytest.raises(ValidationError):
        services.membership_invitation_answer(membership=added, by=clerk, accept=True)
    added.refresh_from_db()
    assert not added.has_access


def test_without_consent_no_membership_agreement_or_representative(
    added, company_a, staff_y, secret_contact
):
    with pytest.raises(ValidationError, match="has not accepted"):
        services.membership_change_status(membership=added, status="active", by=staff_y)
    with pytest.raises(ValidationError, match="has not accepted"):
        invitation_send(alliance=added.alliance, contact=secret_contact, by=staff_y)
    with pytest.raises(ValidationError, match="no agreement can be drafted"):
        agreements.agreement_create(alliance=added.alliance, company=company_a, by=staff_y)


def test_making_the_prospect_active_by_the_status_form_is_refused_with_a_message(
    client, added, company_a
):
    response = client.post(
        f"/en/aarhus/staff/companies/{company_a.pk}/status/", {"status": "active"}, follow=True
    )
    assert "has not accepted the alliance's membership invitation yet" in html.unescape(
        response.content.decode()
    )
    added.refresh_from_db()
    assert added.status == Membership.Status.PROSPECT


def test_signing_right_comes_from_the_invitation_not_the_contact(alliance, company_a, staff_x):
    contact = ContactPerson.objects.create(
        company=company_a, name="Ole", email="ole@alfa.example", may_sign=False
    )
    invitation = invitation_send(alliance=alliance, contact=contact, by=staff_x)
    # Someone at the company edits the contact before Ole accepts.
    ContactPerson.objects.filter(pk=contact.pk).update(may_sign=True)
    user = invitation_accept(invitation=invitation, password=PASSWORD + "-ole")
    assert Representation.objects.get(user=user, company=company_a).may_sign is False


def test_the_registering_alliance_has_access_from_the_start(alliance, staff_x):
    company = services.company_register(
        alliance=alliance,
        data={"cvr": "29403473", "legal_name": "Ny A/S", "industry": "C"},
        by=staff_x,
    )
    membership = company.memberships.get()
    assert membership.has_access and membership.access_granted_by == staff_x


def test_a_representative_reaches_only_represented_companies(client, company_a, company_b):
    stranger = UserFactory()
    client.force_login(stranger)
    assert client.get(f"/en/my/companies/{company_a.pk}/").status_code == 404
