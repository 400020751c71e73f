""" "Become a partner": the public join form, its prospect, note, follow-up and mail."""

import pytest
from django.core import mail
from django.core.cache import cache

from companies.models import Company, ContactPerson, Dialogue, InternalNote, Membership
from companies.views.join import JOIN_REQUESTS_PER_CLIENT

pytestmark = pytest.mark.django_db

URL = "/aalborg/join/"
NEW_CVR = "10000009"


@pytest.fixture(autouse=True)
def _no_earlier_requests():
    cache.delete("join-request:client:127.0.0.1")
    yield
    cache.delete("join-request:client:127.0.0.1")


def form(**changes):
    return {
        "cvr": "10 00 00 09",
        "company_name": "Grøn Gartneri ApS",
        "industry": "A",
        "contact_name": "Mette Madsen",
        "email": "mette@gartneri.example",
        "phone": "12 34 56 78",
        "message": "Vi vil gerne skære i vores varmeforbrug.",
        "homepage": "",
        **changes,
    }


def send(client, django_capture_on_commit_callbacks, **changes):
    with django_capture_on_commit_callbacks(execute=True):
        return client.post(URL, form(**changes))


def test_the_join_page_is_the_only_public_page_with_a_cookie(client, alliance):
    for url in ("/aalborg/", "/aalborg/partners/", "/en/aalborg/", "/aalborg/join/thanks/"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert not response.cookies, url
    page = client.get("/aalborg/")
    assert 'href="/aalborg/join/"' in page.content.decode()

    response = client.get(URL)
    assert response.status_code == 200
    assert "csrftoken" in response.cookies
    assert "ETag" not in response  # never from the page cache
    html = response.content.decode()
    assert "Bliv partner" in html
    # The honeypot: out of sight, out of the tab order, not autofilled.
    assert 'aria-hidden="true"' in html
    assert 'name="homepage"' in html and 'tabindex="-1"' in html and 'autocomplete="off"' in html


def test_a_new_company_is_registered_with_its_contact_note_follow_up_and_mail(
    client, alliance, staff_x, staff_y, django_capture_on_commit_callbacks
):
    response = send(client, django_capture_on_commit_callbacks)
    assert response.status_code == 302 and response["Location"] == "/aalborg/join/thanks/"
    thanks = client.get(response["Location"])
    assert "Tak for din interesse" in thanks.content.decode()

    company = Company.objects.get(cvr=NEW_CVR)
    assert (company.legal_name, company.industry) == ("Grøn Gartneri ApS", "A")
    membership = Membership.objects.get(company=company)
    assert membership.alliance == alliance
    assert membership.status == Membership.Status.PROSPECT and membership.has_access
    contact = ContactPerson.objects.get(company=company)
    assert (contact.name, contact.email, contact.phone) == (
        "Mette Madsen",
        "mette@gartneri.example",
        "12 34 56 78",
    )
    note = InternalNote.objects.get(company=company, alliance=alliance)
    assert "Vi vil gerne skære i vores varmeforbrug." in note.text
    dialogue = Dialogue.objects.get(company=company, alliance=alliance)
    assert dialogue.follow_up_on == dialogue.date and not dialogue.follow_up_done

    # Aalborg's staff are told, Aarhus's are not.
    assert [message.to for message in mail.outbox] == [[staff_x.email]]
    message = mail.outbox[0]
    assert "Grøn Gartneri ApS" in message.subject
    assert f"/aalborg/staff/companies/{company.pk}/" in message.body

    # The follow-up waits on the staff member's task list, linking to the company.
    client.force_login(staff_x)
    tasks = client.get("/my/tasks/").content.decode()
    assert "Mette Madsen" in tasks
    assert f"/aalborg/staff/companies/{company.pk}/" in tasks


def test_a_company_in_the_register_becomes_a_prospect_without_its_data(
    client, alliance, company_b, django_capture_on_commit_callbacks
):
    contacts_before = list(ContactPerson.objects.filter(company=company_b))
    send(client, django_capture_on_commit_callbacks, cvr=company_b.cvr, company_name="Beta")
    membership = Membership.objects.get(alliance=alliance, company=company_b)
    assert membership.status == Membership.Status.PROSPECT
    assert not membership.has_access
    assert list(ContactPerson.objects.filter(company=company_b)) == contacts_before
    company_b.refresh_from_db()
    assert company_b.legal_name == "Beta ApS"  # the shared register is not changed
    assert "Mette Madsen" in InternalNote.objects.get(alliance=alliance, company=company_b).text


def test_a_member_asking_again_only_gets_a_note(
    client, alliance, company_a, django_capture_on_commit_callbacks
):
    before = Membership.objects.get(alliance=alliance, company=company_a)
    send(client, django_capture_on_commit_callbacks, cvr=company_a.cvr)
    after = Membership.objects.get(alliance=alliance, company=company_a)
    assert (after.pk, after.status) == (before.pk, before.status)
    assert InternalNote.objects.filter(alliance=alliance, company=company_a).count() == 1
    assert not ContactPerson.objects.filter(email="mette@gartneri.example").exists()


def test_a_filled_honeypot_is_refused_without_a_trace(
    client, alliance, staff_x, django_capture_on_commit_callbacks
):
    response = send(client, django_capture_on_commit_callbacks, homepage="http://spam.example")
    assert response.status_code == 302  # the robot learns nothing
    assert not Company.objects.filter(cvr=NEW_CVR).exists()
    assert not mail.outbox


def test_an_invalid_cvr_number_is_explained(client, alliance):
    response = client.post(URL, form(cvr="12345678"))
    assert response.status_code == 200
    assert (
        "kontrolciffer" in response.content.decode() or "check digit" in response.content.decode()
    )
    assert not Company.objects.exists() or not Company.objects.filter(cvr="12345678").exists()


def test_requests_are_limited_per_client_address(
    client, alliance, django_capture_on_commit_callbacks
):
    for _ in range(JOIN_REQUESTS_PER_CLIENT):
        assert send(client, django_capture_on_commit_callbacks).status_code == 302
    response = send(client, django_capture_on_commit_callbacks)
    assert response.status_code == 429
    assert 'value="Grøn Gartneri ApS"' in response.content.decode()  # nothing typed is lost
    assert InternalNote.objects.filter(company__cvr=NEW_CVR).count() == JOIN_REQUESTS_PER_CLIENT


def test_staff_set_the_contact_the_alliance_page_shows(client, alliance, staff_x, staff_y):
    url = "/aalborg/staff/contact/"
    client.force_login(staff_y)
    assert client.get(url).status_code == 403
    client.force_login(staff_x)
    response = client.post(
        url,
        {
            "contact_name": "Lone Leder",
            "contact_email": "klima@aalborg.example",
            "contact_phone": "99 31 31 31",
            "address": "Boulevarden 13\n9000 Aalborg",
            "website": "https://www.aalborg.dk/klima",
        },
    )
    assert response.status_code == 302
    client.logout()
    html = client.get("/aalborg/").content.decode()
    assert "Lone Leder" in html
    assert "Boulevarden 13<br>9000 Aalborg" in html
    assert 'href="mailto:klima@aalborg.example"' in html
    assert 'href="tel:99313131"' in html
