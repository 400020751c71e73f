"""Privacy (GDPR): exporting and erasing a contact person's data.

The service functions are tested directly; the staff pages through the portal's real URLs
(`companies:contact-export` and `companies:contact-erase`) with the test client.
"""

import datetime
import json

import pytest
from django.apps import apps as django_apps
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.urls import reverse

from companies import privacy
from companies.models import Company, ContactPerson, Invitation
from network.models import CommitmentPaper, CommitmentSignature, WorkingGroup
from partnerships.models import Signature

from ..factories import AgreementFactory, CompanyFactory, RepresentationFactory, UserFactory

pytestmark = pytest.mark.django_db

SIGNED_AT = datetime.datetime(2025, 3, 4, 10, 30, tzinfo=datetime.UTC)


def export_url(company, contact, alliance_slug="aalborg"):
    return reverse("companies:contact-export", args=[alliance_slug, company.pk, contact.pk])


def erase_url(company, contact, alliance_slug="aalborg"):
    return reverse("companies:contact-erase", args=[alliance_slug, company.pk, contact.pk])


@pytest.fixture
def person(company_a):
    """A contact with an account, a change history, an invitation and two signatures."""
    user = UserFactory(email="mette@alfa.example", first_name="Mette", last_name="Madsen")
    RepresentationFactory(user=user, company=company_a, title="Direktør", may_sign=True)
    contact = ContactPerson.objects.create(
        company=company_a, name="Mette Madsen", email="mette@alfa.example", phone="12345678"
    )
    contact.title = "Direktør"
    contact.save()
    contact.phone = "87654321"
    contact.user = user
    contact.save()
    Invitation.objects.create(
        alliance=company_a.memberships.get().alliance,
        company=company_a,
        contact=contact,
        email=contact.email,
        accepted_at=SIGNED_AT,
        accepted_by=user,
    )
    agreement = AgreementFactory(alliance=company_a.memberships.get().alliance, company=company_a)
    Signature.objects.create(
        agreement=agreement,
        party=Signature.Party.COMPANY,
        user=user,
        typed_name="Mette Madsen",
        title="Direktør",
        signed_at=SIGNED_AT,
        ip_address="192.0.2.7",
        user_agent="Firefox/140",
        content_sha256="0" * 64,
    )
    group = WorkingGroup.objects.create(
        alliance=agreement.alliance, name="Grøn mobilitet", theme="mobility"
    )
    paper = CommitmentPaper.objects.create(group=group, title="Fælles erklæring", text="Vi lover.")
    CommitmentSignature.objects.create(
        paper=paper,
        company=company_a,
        user=user,
        typed_name="Mette Madsen",
        title="Direktør",
        content_sha256="0" * 64,
    )
    return contact


@pytest.fixture
def bystander(company_a):
    """Another contact at the same company, whose data must never leak into an export."""
    return ContactPerson.objects.create(
        company=company_a, name="Søren Sørensen", email="soren@alfa.example", phone="11112222"
    )


# --- Export ------------------------------------------------------------------------------


def test_export_holds_the_contact_history_account_and_signatures(person):
    data = privacy.contact_export(person)
    json.dumps(data)  # plain JSON, no encoder needed

    assert data["contact"]["name"] == "Mette Madsen"
    assert data["contact"]["email"] == "mette@alfa.example"
    assert data["contact"]["phone"] == "87654321"
    history = data["history"]
    assert [row["type"] for row in history] == ["created", "changed", "changed"]
    assert history[1]["changed_fields"] == ["title"]
    assert history[2]["changes"]["phone"] == {"old": "12345678", "new": "87654321"}
    assert [i["state"] for i in data["invitations"]] == ["accepted"]

    account = data["account"]
    assert account["email"] == "mette@alfa.example"
    assert (account["first_name"], account["last_name"]) == ("Mette", "Madsen")
    assert account["representations"] == [
        {"company": "Alfa A/S", "cvr": person.company.cvr, "title": "Direktør", "may_sign": True}
    ]
    agreement_signature, paper_signature = account["signatures"]
    assert agreement_signature["document"] == "agreement"
    assert agreement_signature["typed_name"] == "Mette Madsen"
    assert agreement_signature["signed_at"] == "2025-03-04T10:30:00+00:00"
    assert agreement_signature["ip_address"] == "192.0.2.7"
    assert agreement_signature["user_agent"] == "Firefox/140"
    assert paper_signature["document"] == "commitment_paper"
    assert paper_signature["paper_title"] == "Fælles erklæring"


def test_export_without_an_account(bystander):
    data = privacy.contact_export(bystander)
    assert data["account"] is None
    assert data["contact"]["has_account"] is False


def test_export_view_downloads_json_and_never_another_contacts_data(
    client, person, bystander, staff_x, company_a
):
    client.force_login(staff_x)
    response = client.get(export_url(company_a, person))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response["Content-Disposition"] == (
        f'attachment; filename="kontaktperson-{person.pk}.json"'
    )
    assert "no-store" in response["Cache-Control"]
    body = response.content.decode()
    assert json.loads(body)["contact"]["id"] == person.pk
    assert "Mette Madsen" in body
    for leak in ("Søren", "soren@alfa.example", "11112222", "leder@aalborg.example"):
        assert leak not in body


def test_export_view_refuses_post(client, person, staff_x, company_a):
    client.force_login(staff_x)
    assert client.post(export_url(company_a, person)).status_code == 405


def test_company_page_links_to_export_and_erase_of_each_contact(
    client, person, bystander, staff_x, company_a
):
    client.force_login(staff_x)
    html = client.get(reverse("companies:company-detail", args=["aalborg", company_a.pk]))
    html = html.content.decode()
    for contact in (person, bystander):
        assert export_url(company_a, contact) in html
        assert erase_url(company_a, contact) in html


# --- Erase -------------------------------------------------------------------------------


def test_erase_removes_name_and_email_from_the_contact_and_its_whole_history(person, staff_x):
    user = person.user
    summary = privacy.contact_erase(contact=person, by=staff_x)

    person.refresh_from_db()
    assert person.name == privacy.ERASED_NAME
    assert person.email == f"erased-{person.pk}@invalid"
    assert (person.phone, person.title) == ("", "")

    rows = ContactPerson.history.filter(id=person.pk)
    assert rows.count() == 4 == summary["history_rows"]  # three before, one for the erasure
    assert set(rows.values_list("name", flat=True)) == {privacy.ERASED_NAME}
    assert set(rows.values_list("email", flat=True)) == {f"erased-{person.pk}@invalid"}
    assert set(rows.values_list("phone", "title")) == {("", "")}
    assert not ContactPerson.history.filter(name__icontains="Mette").exists()
    assert not Invitation.objects.filter(email__icontains="mette").exists()

    user.refresh_from_db()
    assert user.is_active is False
    assert not user.has_usable_password()
    assert (user.first_name, user.last_name) == ("", "")
    assert user.email == f"erased-user-{user.pk}@invalid"

    # The legal record stays as it was signed.
    signature = Signature.objects.get(user=user)
    assert signature.typed_name == "Mette Madsen"
    assert signature.ip_address == "192.0.2.7"
    assert CommitmentSignature.objects.get(user=user).typed_name == "Mette Madsen"
    assert summary["signatures_kept"] == 2


def test_erase_revokes_a_pending_invitation(company_a, staff_x):
    contact = ContactPerson.objects.create(company=company_a, name="Ny", email="ny@alfa.example")
    invitation = Invitation.objects.create(
        alliance=company_a.memberships.get().alliance,
        company=company_a,
        contact=contact,
        email=contact.email,
    )
    summary = privacy.contact_erase(contact=contact, by=staff_x)
    invitation.refresh_from_db()
    assert invitation.state == "revoked"
    assert invitation.email == f"erased-{contact.pk}@invalid"
    assert summary["invitations_revoked"] == 1
    assert summary["user_id"] is None


def test_erase_leaves_other_contacts_alone(person, bystander, staff_x):
    privacy.contact_erase(contact=person, by=staff_x)
    bystander.refresh_from_db()
    assert (bystander.name, bystander.email) == ("Søren Sørensen", "soren@alfa.example")
    assert ContactPerson.history.filter(id=bystander.pk, name="Søren Sørensen").exists()


def test_erase_refuses_an_account_of_municipal_staff(company_a, staff_x):
    contact = ContactPerson.objects.create(
        company=company_a, name="Leder", email=staff_x.email, user=staff_x
    )
    with pytest.raises(ValidationError):
        privacy.contact_erase(contact=contact, by=staff_x)
    staff_x.refresh_from_db()
    assert staff_x.is_active


def test_erase_anonymises_the_admin_change_log_and_keeps_unrelated_entries(person, staff_x):
    user = person.user
    user_type = ContentType.objects.get_for_model(user)
    company_type = ContentType.objects.get_for_model(Company)
    own = LogEntry.objects.create(
        user=staff_x,
        content_type=user_type,
        object_id=str(user.pk),
        object_repr="mette@alfa.example",
        action_flag=CHANGE,
        change_message="[]",
    )
    inline = LogEntry.objects.create(
        user=staff_x,
        content_type=company_type,
        object_id=str(person.company.pk),
        object_repr="Alfa A/S",
        action_flag=CHANGE,
        change_message='[{"added": {"name": "representation", "object": "Mette@Alfa.example – '
        'Alfa A/S"}}]',
    )
    other = LogEntry.objects.create(
        user=staff_x,
        content_type=company_type,
        object_id=str(person.company.pk),
        object_repr="Alfa A/S",
        action_flag=CHANGE,
        change_message='[{"changed": {"fields": ["City"]}}]',
    )
    privacy.contact_erase(contact=person, by=staff_x)
    for entry in (own, inline, other):
        entry.refresh_from_db()
    assert own.object_repr == f"erased-user-{user.pk}@invalid"
    assert "mette" not in inline.change_message.lower()
    assert "Alfa A/S" in inline.change_message
    assert other.change_message == '[{"changed": {"fields": ["City"]}}]'


def test_erase_view_get_explains_and_changes_nothing(client, person, staff_x, company_a):
    client.force_login(staff_x)
    response = client.get(erase_url(company_a, person))
    assert response.status_code == 200
    html = response.content.decode()
    assert '<form method="post" novalidate>' in html  # the erase form (no action: this page)
    assert export_url(company_a, person) in html
    person.refresh_from_db()
    assert person.name == "Mette Madsen"
    assert person.user.is_active


def test_erase_view_post_erases_and_returns_to_the_company(client, person, staff_x, company_a):
    client.force_login(staff_x)
    response = client.post(erase_url(company_a, person), follow=True)
    company_page = reverse("companies:company-detail", args=["aalborg", company_a.pk])
    assert response.redirect_chain == [(company_page, 302)]
    assert [m.level_tag for m in response.context["messages"]] == ["success"]
    person.refresh_from_db()
    assert person.name == privacy.ERASED_NAME
    html = response.content.decode()
    assert "Mette" not in html
    assert "mette@alfa.example" not in html


def test_erased_person_can_no_longer_log_in(client, person, staff_x, company_a):
    user = person.user
    client.force_login(user)
    assert client.get(reverse("my:company-detail", args=[company_a.pk])).status_code == 200
    privacy.contact_erase(contact=person, by=staff_x)
    response = client.get(reverse("my:company-detail", args=[company_a.pk]))
    assert response.status_code == 302  # the session ended with the password
    assert response["Location"].startswith(reverse("login"))


def test_erase_view_with_a_staff_account_shows_why_and_changes_nothing(client, company_a, staff_x):
    contact = ContactPerson.objects.create(
        company=company_a, name="Leder", email=staff_x.email, user=staff_x
    )
    client.force_login(staff_x)
    page = client.get(erase_url(company_a, contact)).content.decode()
    assert '<form method="post" novalidate>' not in page
    assert 'class="alert alert-warning"' in page
    response = client.post(erase_url(company_a, contact), follow=True)
    assert [m.level_tag for m in response.context["messages"]] == ["error"]
    contact.refresh_from_db()
    assert contact.name == "Leder"


def test_erase_view_refuses_other_methods(client, person, staff_x, company_a):
    client.force_login(staff_x)
    assert client.put(erase_url(company_a, person)).status_code == 405
    person.refresh_from_db()
    assert person.name == "Mette Madsen"


# --- Access ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "method"),
    [(export_url, "get"), (erase_url, "get"), (erase_url, "post")],
)
def test_staff_of_another_alliance_get_403_and_nothing_changes(
    client, url, method, person, staff_y, company_a
):
    client.force_login(staff_y)
    assert getattr(client, method)(url(company_a, person)).status_code == 403
    person.refresh_from_db()
    assert person.name == "Mette Madsen"
    assert person.user.is_active


def test_a_representative_gets_403(client, person, company_a):
    client.force_login(person.user)
    assert client.post(erase_url(company_a, person)).status_code == 403
    person.refresh_from_db()
    assert person.name == "Mette Madsen"


def test_company_outside_the_alliance_is_404(client, person, staff_y, company_b):
    """Staff of Aarhus asking through their own alliance for an Aalborg-only contact."""
    client.force_login(staff_y)
    response = client.post(erase_url(person.company, person, "aarhus"))
    assert response.status_code == 404
    # A contact of another company cannot be reached through a company of one's own.
    assert client.get(export_url(company_b, person, "aarhus")).status_code == 404
    person.refresh_from_db()
    assert person.name == "Mette Madsen"


def test_anonymous_is_sent_to_log_in(client, person, company_a):
    response = client.get(export_url(company_a, person))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_unrelated_company_is_not_touched(client, staff_x):
    other = CompanyFactory(legal_name="Gamma A/S")
    contact = ContactPerson.objects.create(company=other, name="Gitte", email="g@gamma.example")
    client.force_login(staff_x)
    assert client.post(erase_url(other, contact)).status_code == 404
    contact.refresh_from_db()
    assert contact.name == "Gitte"


@pytest.mark.skipif(
    not django_apps.is_installed("axes"), reason="sign-in protection (django-axes) not installed"
)
def test_erase_forgets_login_attempts_with_the_address(person, staff_x):
    from axes.models import AccessAttempt, AccessLog

    AccessLog.objects.create(username="Mette@alfa.example", ip_address="192.0.2.7")
    AccessAttempt.objects.create(
        username="mette@alfa.example", ip_address="192.0.2.7", failures_since_start=1
    )
    kept = AccessLog.objects.create(username="soren@alfa.example", ip_address="192.0.2.8")
    summary = privacy.contact_erase(contact=person, by=staff_x)
    assert summary["login_records"] == 2
    assert list(AccessLog.objects.all()) == [kept]
    assert not AccessAttempt.objects.exists()


# --- The public privacy page -------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "phrases"),
    [
        (
            "/privacy/",
            [
                "Det gemmer vi, og hvorfor",
                "Underskrifter beholder det indtastede navn som juridisk dokumentation",
                "Ændringshistorik (revisionslog)",
                "Klimaregnskaber (udledningsopgørelser)",
                "Så længe gemmer vi det",
                "sessionen udløber efter 8 timer",
                "Linket i invitationen virker i 7 dage",
                "Datatilsynet",
            ],
        ),
        (
            "/en/privacy/",
            [
                "What we store, and why",
                "Signatures keep the typed name as the legal record",
                "Change history (audit log)",
                "Climate accounts (emission inventories)",
                "How long we keep it",
                "the session ends after 8 hours",
                "The link in the invitation works for 7 days",
                "Passwords, tokens, secret codes and the contents of e-mails are removed",
            ],
        ),
    ],
)
def test_privacy_page_explains_what_is_stored_why_and_how_to_ask(client, url, phrases):
    response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    for phrase in phrases:
        assert phrase in html
    assert not response.cookies  # a public page sets no cookie
