"""Invitations: staff send, resend and revoke them; the contact accepts by a single-use link.

Pages whose wording is checked are opened under /en/ so the assertions hold whether or not
the Danish translations exist yet.
"""

import re
import time
from unittest import mock

import pytest
from django.contrib.auth import get_user_model
from django.contrib.messages import ERROR, SUCCESS, get_messages
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import formats, timezone, translation

from companies import invitations as service
from companies.models import ContactPerson, Invitation, Membership, MembershipEvent, Representation
from tests.conftest import PASSWORD
from tests.factories import CompanyFactory, MembershipFactory, UserFactory

User = get_user_model()
NEW_PASSWORD = "a-long-fresh-passphrase"
LINK = re.compile(r"http://testserver(/(?:en/)?invitation/[A-Za-z0-9_-]+/)")


@pytest.fixture
def contact(company_a):
    return ContactPerson.objects.create(
        company=company_a,
        name="Ida Jensen",
        title="Direktør",
        email="ida@alfa.example",
        may_sign=True,
    )


@pytest.fixture
def send(django_capture_on_commit_callbacks, alliance, staff_x):
    """Send an invitation through the service and deliver its mail; returns the link path."""

    def run(contact, language=None, by=staff_x, alliance=alliance):
        with django_capture_on_commit_callbacks(execute=True):
            invitation = service.invitation_send(
                alliance=alliance, contact=contact, by=by, language=language
            )
        return invitation, link_in(mail.outbox[-1])

    return run


def link_in(message):
    return LINK.search(message.body).group(1)


def english(path):
    return path if path.startswith("/en/") else f"/en{path}"


def invite_url(company, contact, prefix=""):
    return f"{prefix}/aalborg/staff/companies/{company.pk}/contacts/{contact.pk}/invite/"


def message_list(response):
    return [(m.level, str(m)) for m in get_messages(response.wsgi_request)]


def expiry_date(invitation, language):
    with translation.override(language):
        return formats.date_format(timezone.localtime(invitation.expires_at), "DATE_FORMAT")


def set_password(client, path, password=NEW_PASSWORD, again=None):
    return client.post(path, {"new_password1": password, "new_password2": again or password})


# --- Sending -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_staff_invite_mails_the_contact_in_danish_by_default(
    client, staff_x, company_a, contact, django_capture_on_commit_callbacks
):
    client.force_login(staff_x)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(invite_url(company_a, contact))
    assert response.status_code == 302
    assert response["Location"] == f"/aalborg/staff/companies/{company_a.pk}/"
    assert message_list(response)[0][0] == SUCCESS

    invitation = Invitation.objects.get(contact=contact)
    assert (invitation.language, invitation.invited_by, invitation.email) == (
        "da",
        staff_x,
        "ida@alfa.example",
    )
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["ida@alfa.example"]
    assert "Klimaalliancen Aalborg" in message.subject and "Alfa A/S" in message.subject
    # Danish words from the catalogue and a Danish date ("14. juni 2026"), no English one.
    assert "Virksomhed: Alfa A/S" in message.body
    assert expiry_date(invitation, "da") in message.body
    assert expiry_date(invitation, "en") not in message.body
    assert link_in(message).startswith("/invitation/")
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html" and link_in(message) in html


@pytest.mark.django_db
def test_invitation_in_english_has_an_english_mail_and_link(
    client, staff_x, company_a, contact, django_capture_on_commit_callbacks
):
    client.force_login(staff_x)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(invite_url(company_a, contact), {"language": "en"})
    message = mail.outbox[0]
    invitation = Invitation.objects.get(contact=contact)
    assert invitation.language == "en"
    assert message.subject.startswith("Invitation from Klimaalliancen Aalborg")
    assert "Company: Alfa A/S" in message.body
    assert expiry_date(invitation, "en") in message.body
    assert re.search(r"http://testserver/en/invitation/\S+/", message.body)
    assert "Virksomhed" not in message.body


@pytest.mark.django_db
def test_inviting_a_prospect_makes_the_membership_invited(alliance, staff_x, send):
    membership = MembershipFactory(alliance=alliance, status=Membership.Status.PROSPECT)
    contact = ContactPerson.objects.create(
        company=membership.company, name="Ole Hansen", email="ole@example.org"
    )
    send(contact)
    membership.refresh_from_db()
    assert membership.status == Membership.Status.INVITED
    event = MembershipEvent.objects.get(membership=membership, to_status="invited")
    assert event.changed_by == staff_x


@pytest.mark.django_db
def test_active_membership_stays_active_when_a_contact_is_invited(alliance, contact, send):
    send(contact)
    assert Membership.objects.get(alliance=alliance, company=contact.company).status == "active"


@pytest.mark.django_db
def test_no_mail_when_the_transaction_rolls_back(
    alliance, contact, staff_x, django_capture_on_commit_callbacks
):
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        service.invitation_send(alliance=alliance, contact=contact, by=staff_x)
        raise RuntimeError
    assert callbacks == []
    assert mail.outbox == []
    assert not Invitation.objects.exists()


@pytest.mark.django_db
def test_a_second_invitation_while_one_is_pending_is_refused_with_advice_to_resend(
    client, staff_x, company_a, contact, send, django_capture_on_commit_callbacks
):
    send(contact)
    client.force_login(staff_x)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(invite_url(company_a, contact, prefix="/en"))
    assert response.status_code == 302
    [(level, text)] = message_list(response)
    assert level == ERROR and "Resend" in text
    assert Invitation.objects.count() == 1
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_the_service_refuses_a_company_outside_the_alliance(alliance, company_b, staff_x):
    stranger = ContactPerson.objects.create(company=company_b, name="Bo", email="bo@beta.example")
    with pytest.raises(ValidationError) as error, translation.override("en"):
        service.invitation_send(alliance=alliance, contact=stranger, by=staff_x)
    assert "not a member of Klimaalliancen Aalborg" in error.value.messages[0]
    assert not Invitation.objects.exists()


@pytest.mark.django_db
def test_an_existing_representative_is_not_invited_again(alliance, rep_a, company_a, staff_x):
    contact = ContactPerson.objects.create(company=company_a, name="Rep", email=rep_a.email)
    with pytest.raises(ValidationError, match="already represents"), translation.override("en"):
        service.invitation_send(alliance=alliance, contact=contact, by=staff_x)


# --- Accepting ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_accepting_with_a_good_password_creates_the_representative_and_logs_in(
    client, contact, company_a, send
):
    _invitation, link = send(contact)
    page = client.get(english(link))
    assert page.status_code == 200
    assert "Alfa A/S" in page.content.decode() and "Klimaalliancen Aalborg" in page.content.decode()

    response = set_password(client, link)
    assert response.status_code == 302
    assert response["Location"] == f"/my/companies/{company_a.pk}/"
    user = User.objects.get(email="ida@alfa.example")
    assert user.check_password(NEW_PASSWORD)
    assert (user.first_name, user.last_name) == ("Ida", "Jensen")
    representation = Representation.objects.get(user=user, company=company_a)
    assert representation.may_sign is True and representation.title == "Direktør"
    contact.refresh_from_db()
    assert contact.user == user
    invitation = Invitation.objects.get()
    assert invitation.accepted_by == user and invitation.accepted_at is not None
    assert client.session["_auth_user_id"] == str(user.pk)
    assert client.get(response["Location"]).status_code == 200


@pytest.mark.django_db
def test_the_same_link_a_second_time_says_already_used_and_changes_nothing(contact, send, client):
    _invitation, link = send(contact)
    set_password(client, link)
    client.logout()

    again = set_password(client, english(link), password="another-long-passphrase")
    assert again.status_code == 410
    assert "already been used" in again.content.decode()
    user = User.objects.get(email="ida@alfa.example")
    assert user.check_password(NEW_PASSWORD)
    assert Representation.objects.count() == 1
    assert client.get(link).status_code == 410


@pytest.mark.django_db
@pytest.mark.parametrize("old", ["token", "sent_at"])
def test_a_link_older_than_seven_days_says_expired(client, contact, send, old):
    invitation, _link = send(contact)
    eight_days = 8 * 24 * 60 * 60
    if old == "token":
        # The signature's own timestamp: sign as if it were eight days ago.
        with mock.patch("django.core.signing.time.time", return_value=time.time() - eight_days):
            token = service.make_token(invitation)
    else:
        Invitation.objects.filter(pk=invitation.pk).update(
            sent_at=timezone.now() - timezone.timedelta(seconds=eight_days)
        )
        token = service.make_token(invitation)
    response = client.get(f"/en/invitation/{token}/")
    assert response.status_code == 410
    assert "expired" in response.content.decode()
    assert set_password(client, f"/en/invitation/{token}/").status_code == 410
    assert not User.objects.filter(email=contact.email).exists()


@pytest.mark.django_db
def test_a_link_six_days_old_still_works(client, contact, send):
    invitation, _link = send(contact)
    with mock.patch("django.core.signing.time.time", return_value=time.time() - 6 * 86400):
        token = service.make_token(invitation)
    assert client.get(f"/invitation/{token}/").status_code == 200


@pytest.mark.django_db
def test_resend_kills_the_old_link_and_mails_a_working_one(
    client, staff_x, contact, send, django_capture_on_commit_callbacks
):
    invitation, old_link = send(contact)
    client.force_login(staff_x)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/aalborg/staff/companies/invitations/{invitation.pk}/resend/")
    assert response.status_code == 302
    assert response["Location"] == f"/aalborg/staff/companies/{contact.company_id}/"
    assert len(mail.outbox) == 2
    new_link = link_in(mail.outbox[1])
    assert new_link != old_link
    client.logout()

    stale = client.get(english(old_link))
    assert stale.status_code == 410
    assert "newer invitation" in stale.content.decode()
    assert client.get(new_link).status_code == 200
    assert set_password(client, new_link).status_code == 302


@pytest.mark.django_db
def test_revoke_makes_the_link_say_revoked(client, staff_x, contact, send):
    invitation, link = send(contact)
    client.force_login(staff_x)
    response = client.post(f"/aalborg/staff/companies/invitations/{invitation.pk}/revoke/")
    assert response.status_code == 302
    assert message_list(response)[0][0] == SUCCESS
    client.logout()
    page = client.get(english(link))
    assert page.status_code == 410
    assert "revoked" in page.content.decode()
    assert set_password(client, link).status_code == 410
    assert not User.objects.filter(email=contact.email).exists()


@pytest.mark.django_db
def test_a_revoked_invitation_cannot_be_resent(client, staff_x, contact, send):
    invitation, _link = send(contact)
    service.invitation_revoke(invitation=invitation, by=staff_x)
    client.force_login(staff_x)
    response = client.post(f"/en/aalborg/staff/companies/invitations/{invitation.pk}/resend/")
    [(level, text)] = message_list(response)
    assert level == ERROR and "revoked" in text
    assert len(mail.outbox) == 1


@pytest.mark.django_db
@pytest.mark.parametrize("tamper", ["flip", "garbage", "other_nonce"])
def test_a_tampered_link_is_not_found(client, contact, send, tamper):
    invitation, link = send(contact)
    token = link.rstrip("/").rsplit("/", 1)[1]
    if tamper == "flip":
        token = token[:-3] + ("AAA" if token[-3:] != "AAA" else "BBB")
    elif tamper == "garbage":
        token = "not-a-token"
    else:
        forged = service.signing.Signer(salt="something-else").sign(f"{invitation.pk}:x")
        token = service.base64.urlsafe_b64encode(forged.encode()).decode().rstrip("=")
    response = client.get(f"/en/invitation/{token}/")
    assert response.status_code == 404
    assert "not valid" in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("password", "again", "complaint"),
    [("kort", None, "too short"), (NEW_PASSWORD, "a-different-passphrase", "didn’t match")],
)
def test_a_weak_or_mistyped_password_is_refused_and_nothing_is_created(
    client, contact, send, password, again, complaint
):
    _invitation, link = send(contact)
    response = set_password(client, english(link), password=password, again=again)
    assert response.status_code == 200
    assert complaint in response.content.decode()
    assert not User.objects.filter(email=contact.email).exists()
    assert not Representation.objects.exists()
    assert Invitation.objects.get().accepted_at is None
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_an_email_with_an_account_never_gets_a_password_and_is_asked_to_log_in(
    client, contact, company_a, send
):
    owner = UserFactory(email="ida@alfa.example")
    _invitation, link = send(contact)

    page = client.get(english(link))
    assert page.status_code == 200
    body = page.content.decode()
    assert "already an account" in body
    assert f"/accounts/login/?next={english(link).replace('/', '%2F')}" in body

    response = set_password(client, english(link))
    assert response.status_code == 200
    owner.refresh_from_db()
    assert owner.check_password(PASSWORD) and not owner.check_password(NEW_PASSWORD)
    assert not Representation.objects.exists()
    assert "_auth_user_id" not in client.session

    # Logged in as that account, accepting only adds the representation.
    client.force_login(owner)
    assert "Accept the invitation" in client.get(english(link)).content.decode()
    response = client.post(link)
    assert response["Location"] == f"/my/companies/{company_a.pk}/"
    assert Representation.objects.get().user == owner
    owner.refresh_from_db()
    assert owner.check_password(PASSWORD)


@pytest.mark.django_db
def test_logged_in_as_another_account_says_so_and_changes_nothing(client, contact, rep_b, send):
    _invitation, link = send(contact)
    client.force_login(rep_b)
    page = client.get(english(link))
    assert "but you are logged in as rep@beta.example" in page.content.decode()
    response = set_password(client, english(link))
    assert response.status_code == 200
    assert Invitation.objects.get().accepted_at is None
    assert not Representation.objects.filter(company=contact.company).exists()
    assert not User.objects.filter(email=contact.email).exists()


# --- Who may act -------------------------------------------------------------------------


@pytest.fixture
def aarhus_invitation(other_alliance, company_b, staff_y, send):
    contact = ContactPerson.objects.create(company=company_b, name="Bo", email="bo@beta.example")
    invitation, _link = send(contact, by=staff_y, alliance=other_alliance)
    return invitation


def staff_actions(company, contact, invitation):
    return [
        invite_url(company, contact),
        f"/aalborg/staff/companies/invitations/{invitation.pk}/resend/",
        f"/aalborg/staff/companies/invitations/{invitation.pk}/revoke/",
    ]


@pytest.mark.django_db
@pytest.mark.parametrize(("role", "status"), [("staff_y", 403), ("rep_a", 403), ("anonymous", 302)])
def test_only_the_alliances_staff_may_invite_resend_or_revoke(
    client, roles, company_a, contact, send, role, status
):
    invitation, _link = send(contact)
    if roles[role]:
        client.force_login(roles[role])
    for url in staff_actions(company_a, contact, invitation):
        response = client.post(url)
        assert response.status_code == status, url
        if status == 302:
            assert response["Location"].startswith("/accounts/login/")
    invitation.refresh_from_db()
    assert invitation.revoked_at is None and len(mail.outbox) == 1
    assert Invitation.objects.count() == 1


@pytest.mark.django_db
def test_staff_cannot_touch_another_alliances_invitation_or_company(
    client, staff_x, company_b, aarhus_invitation
):
    client.force_login(staff_x)
    for url in staff_actions(company_b, aarhus_invitation.contact, aarhus_invitation):
        assert client.post(url).status_code == 404, url
    aarhus_invitation.refresh_from_db()
    assert aarhus_invitation.revoked_at is None
    assert Invitation.objects.count() == 1


@pytest.mark.django_db
def test_a_contact_of_another_company_in_the_url_is_not_found(client, staff_x, company_a, alliance):
    other = MembershipFactory(alliance=alliance, company=CompanyFactory()).company
    stranger = ContactPerson.objects.create(company=other, name="Per", email="per@example.org")
    client.force_login(staff_x)
    assert client.post(invite_url(company_a, stranger)).status_code == 404
    assert not Invitation.objects.exists()


@pytest.mark.django_db
def test_staff_actions_are_post_only(client, staff_x, company_a, contact, send):
    invitation, _link = send(contact)
    client.force_login(staff_x)
    for url in staff_actions(company_a, contact, invitation):
        assert client.get(url).status_code == 405, url


# --- Partials for the staff company page ---------------------------------------------------


@pytest.mark.django_db
def test_the_staff_partials_render_actions_for_each_state(rf, staff_x, alliance, contact, send):
    pending, _link = send(contact)
    second = ContactPerson.objects.create(company=contact.company, name="Ole", email="o@alfa.dk")
    revoked, _link = send(second)
    revoked = service.invitation_revoke(invitation=revoked, by=staff_x)
    request = rf.get("/en/")
    request.user = staff_x
    with translation.override("en"):
        listing = render_to_string(
            "companies/_invitations.html",
            {"invitations": [pending, revoked], "alliance": alliance},
            request=request,
        )
        form = render_to_string(
            "companies/_invite_form.html",
            {"contact": contact, "company": contact.company, "alliance": alliance},
            request=request,
        )
    base = "/en/aalborg/staff/companies"
    assert f'action="{base}/invitations/{pending.pk}/resend/"' in listing
    assert f'action="{base}/invitations/{pending.pk}/revoke/"' in listing
    assert f"/invitations/{revoked.pk}/" not in listing
    assert "Waiting for an answer" in listing and "Revoked on" in listing
    assert listing.count("csrfmiddlewaretoken") == 2
    assert f'action="{base}/{contact.company_id}/contacts/{contact.pk}/invite/"' in form
    assert f'<label class="form-label" for="invite-language-{contact.pk}">' in form
    assert '<option value="da" selected>' in form
    assert "csrfmiddlewaretoken" in form
