"""A representative's own company pages: only their companies, never the staff's notes.

Pages whose wording is checked are opened under /en/ so the assertions hold whether or not
the Danish translations exist yet.
"""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from companies.models import Company, ContactPerson, Dialogue, InternalNote, Membership
from tests.factories import MembershipFactory

PROFILE = {
    "display_name": "",
    "sub_industry": "",
    "size_band": "",
    "address": "",
    "postcode": "",
    "city": "",
    "website": "",
    "description": "",
    "description_en": "",
    "logo_alt": "",
}


def detail(company, prefix=""):
    return f"{prefix}/my/companies/{company.pk}/"


def edit(company, prefix=""):
    return f"{prefix}/my/companies/{company.pk}/edit/"


def new_contact(company):
    return f"/my/companies/{company.pk}/contacts/new/"


def png_bytes():
    buffer = io.BytesIO()
    Image.new("RGB", (40, 20), "green").save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.fixture
def contact_b(company_b):
    return ContactPerson.objects.create(company=company_b, name="Bo", email="bo@beta.example")


@pytest.mark.django_db
def test_rep_sees_their_company_with_contacts_and_memberships(client, rep_a, company_a):
    ContactPerson.objects.create(company=company_a, name="Ida Jensen", email="ida@alfa.example")
    client.force_login(rep_a)
    response = client.get(detail(company_a))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Alfa A/S" in body
    assert "Ida Jensen" in body
    assert "Klimaalliancen Aalborg" in body
    assert body.count("<h1") == 1


@pytest.mark.django_db
def test_invitations_from_other_alliances_are_listed(client, rep_a, company_a, other_alliance):
    MembershipFactory(
        alliance=other_alliance,
        company=company_a,
        status=Membership.Status.INVITED,
        access_granted_at=None,  # an invitation the company has not answered yet
    )
    client.force_login(rep_a)
    body = client.get(detail(company_a, prefix="/en")).content.decode()
    invitations = body.split("Invitations from other alliances", 1)[1]
    assert "Klimaalliancen Aarhus has invited the company to join." in invitations


@pytest.mark.django_db
def test_rep_edits_the_description_in_danish_and_english(client, rep_a, company_a):
    client.force_login(rep_a)
    form = client.get(edit(company_a))
    assert form.status_code == 200
    assert 'enctype="multipart/form-data"' in form.content.decode()
    data = {
        **PROFILE,
        "description": "Vi laver grøn energi.",
        "description_en": "We make green energy.",
    }
    response = client.post(edit(company_a), data)
    assert response.status_code == 302
    assert response["Location"] == detail(company_a)
    company_a.refresh_from_db()
    assert company_a.description == "Vi laver grøn energi."
    assert company_a.description_en == "We make green energy."
    body = client.get(detail(company_a)).content.decode()
    assert "Vi laver grøn energi." in body and "We make green energy." in body


@pytest.mark.django_db
def test_rep_uploads_a_logo_with_a_text_alternative(client, rep_a, company_a):
    client.force_login(rep_a)
    logo = SimpleUploadedFile("logo.png", png_bytes(), content_type="image/png")
    data = {**PROFILE, "logo": logo, "logo_alt": "Alfa's green leaf"}
    assert client.post(edit(company_a), data).status_code == 302
    company_a.refresh_from_db()
    assert company_a.logo.name.endswith(".png")
    assert 'alt="Alfa&#x27;s green leaf"' in client.get(detail(company_a)).content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("content", "complaint"),
    [
        (b"\x89PNG\r\n\x1a\n" + b"0" * (2 * 1024 * 1024 + 10), "at most 2 MB"),
        (b"this is just text, not a picture", "not a PNG, JPEG or WebP image"),
    ],
    ids=["oversize", "not-an-image"],
)
def test_a_bad_logo_is_refused_clearly_and_nothing_changes(
    client, rep_a, company_a, content, complaint
):
    client.force_login(rep_a)
    logo = SimpleUploadedFile("logo.png", content, content_type="image/png")
    data = {**PROFILE, "description": "Changed", "logo": logo, "logo_alt": "Logo"}
    response = client.post(edit(company_a, prefix="/en"), data)
    assert response.status_code == 200
    assert complaint in response.content.decode()
    company_a.refresh_from_db()
    assert not company_a.logo
    assert company_a.description == ""


@pytest.mark.django_db
def test_rep_adds_and_edits_a_contact(client, rep_a, company_a):
    client.force_login(rep_a)
    data = {"name": "Ida Jensen", "title": "CFO", "email": "Ida@Alfa.example", "phone": ""}
    response = client.post(new_contact(company_a), data)
    assert response.status_code == 302
    contact = ContactPerson.objects.get(company=company_a)
    assert contact.email == "ida@alfa.example" and contact.may_sign is False

    url = f"/my/companies/{company_a.pk}/contacts/{contact.pk}/edit/"
    assert client.get(url).status_code == 200
    response = client.post(url, {**data, "title": "CEO", "may_sign": "on"})
    assert response.status_code == 302
    contact.refresh_from_db()
    assert (contact.title, contact.may_sign) == ("CEO", True)


@pytest.mark.django_db
def test_a_duplicate_contact_email_is_refused_and_nothing_is_saved(client, rep_a, company_a):
    ContactPerson.objects.create(company=company_a, name="Ida", email="ida@alfa.example")
    client.force_login(rep_a)
    response = client.post(
        f"/en{new_contact(company_a)}", {"name": "Ida II", "email": "IDA@alfa.example"}
    )
    assert response.status_code == 200
    assert "already has a contact with that e-mail" in response.content.decode()
    assert ContactPerson.objects.filter(company=company_a).count() == 1


@pytest.mark.django_db
def test_rep_gets_404_on_another_companys_pages_and_changes_nothing(
    client, rep_a, company_a, company_b, contact_b
):
    client.force_login(rep_a)
    forms = [
        edit(company_b),
        new_contact(company_b),
        f"/my/companies/{company_b.pk}/contacts/{contact_b.pk}/edit/",
        # Their own company in the address does not unlock another company's contact.
        f"/my/companies/{company_a.pk}/contacts/{contact_b.pk}/edit/",
    ]
    for url in [detail(company_b), detail(Company(pk=999_999)), *forms]:
        assert client.get(url).status_code == 404, url
    data = {**PROFILE, "description": "Hijacked", "name": "X", "email": "x@example.org"}
    for url in forms:
        assert client.post(url, data).status_code == 404, url
    company_b.refresh_from_db()
    assert company_b.description == ""
    contact_b.refresh_from_db()
    assert contact_b.name == "Bo"
    assert ContactPerson.objects.filter(company=company_b).count() == 1


@pytest.mark.django_db
def test_anonymous_visitors_are_sent_to_login(client, company_a):
    for url in [detail(company_a), edit(company_a), new_contact(company_a)]:
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/?next=")


@pytest.mark.django_db
def test_staff_who_are_not_representatives_get_404(client, staff_x, company_a):
    client.force_login(staff_x)
    assert client.get(detail(company_a)).status_code == 404
    assert client.get(edit(company_a)).status_code == 404


@pytest.mark.django_db
def test_internal_notes_and_dialogues_never_reach_the_representative(
    client, rep_a, company_a, alliance, staff_x
):
    InternalNote.objects.create(
        alliance=alliance, company=company_a, author=staff_x, text="Secret: slow to pay"
    )
    Dialogue.objects.create(
        alliance=alliance,
        company=company_a,
        author=staff_x,
        date="2026-01-05",
        kind=Dialogue.Kind.MEETING,
        summary="Confidential meeting summary",
    )
    client.force_login(rep_a)
    for url in [detail(company_a), edit(company_a), detail(company_a, prefix="/en")]:
        body = client.get(url).content.decode()
        assert "Secret: slow to pay" not in body, url
        assert "Confidential meeting summary" not in body, url
