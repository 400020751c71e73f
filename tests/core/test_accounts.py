import re

import pytest
from django.core import mail

from tests.conftest import PASSWORD, totp_code
from tests.factories import StaffRoleFactory


@pytest.mark.django_db
def test_login_with_email_and_password_lands_staff_on_their_tasks(client, staff_x):
    response = client.post(
        "/accounts/login/", {"username": "LEDER@aalborg.example", "password": PASSWORD}
    )
    assert response.status_code == 302
    # Staff pass the second factor next: the code from their authenticator app.
    response = client.get(response["Location"], follow=True)
    code_page = response.redirect_chain[-1][0]
    assert code_page.startswith("/accounts/two-factor/")
    device = staff_x.totpdevice_set.get()
    response = client.post(code_page, {"token": totp_code(device)}, follow=True)
    # "My tasks", which links on to the dashboard of each alliance they work for.
    assert response.redirect_chain[-1][0] == "/my/tasks/"
    assert 'href="/aalborg/staff/"' in response.content.decode()


@pytest.mark.django_db
def test_wrong_password_shows_a_danish_message_and_does_not_log_in(client, staff_x):
    response = client.post(
        "/accounts/login/", {"username": "leder@aalborg.example", "password": "wrong"}
    )
    assert response.status_code == 200
    assert "korrekt" in response.content.decode()
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_logout_is_a_post_and_ends_the_session(client, staff_x):
    client.force_login(staff_x)
    assert client.get("/aalborg/staff/").status_code == 200
    response = client.post("/accounts/logout/")
    assert response.status_code == 302
    assert client.get("/aalborg/staff/").status_code == 302


@pytest.mark.django_db
def test_password_reset_mails_a_working_single_use_link(
    client, rep_a, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):  # the mail goes after the commit
        response = client.post("/accounts/password/reset/", {"email": "rep@alfa.example"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["rep@alfa.example"]
    assert "adgangskode" in message.subject.lower()
    link = re.search(r"http://testserver(/accounts/password/reset/\S+/)", message.body).group(1)
    form_page = client.get(link, follow=True)
    set_url = form_page.redirect_chain[-1][0]
    response = client.post(
        set_url,
        {"new_password1": "a-new-long-passphrase", "new_password2": "a-new-long-passphrase"},
    )
    assert response.status_code == 302
    response = client.post(
        "/accounts/login/", {"username": "rep@alfa.example", "password": "a-new-long-passphrase"}
    )
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(rep_a.pk)
    client.logout()
    again = client.get(link, follow=True)
    assert "allerede blevet brugt" in again.content.decode()


@pytest.mark.django_db
def test_password_reset_for_an_unknown_address_sends_nothing_and_reveals_nothing(client):
    response = client.post("/accounts/password/reset/", {"email": "nobody@example.org"})
    assert response.status_code == 302
    assert mail.outbox == []


@pytest.mark.django_db
def test_password_change_enforces_the_password_rules(client, rep_a):
    client.force_login(rep_a)
    response = client.post(
        "/accounts/password/change/",
        {"old_password": PASSWORD, "new_password1": "12345678", "new_password2": "12345678"},
    )
    assert response.status_code == 200
    assert "for kort" in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/aalborg/staff/", "/aalborg/staff/companies/"])
def test_staff_pages_by_role(client, roles, url):
    expected = {
        "anonymous": 302,
        "rep_a": 403,
        "rep_b": 403,
        "staff_x": 200,
        "staff_y": 403,
        "admin": 200,
    }
    for name, user in roles.items():
        client.logout()
        if user:
            client.force_login(user)
        response = client.get(url)
        assert response.status_code == expected[name], (name, url)
        if expected[name] == 302:
            assert response["Location"].startswith("/accounts/login/")


@pytest.mark.django_db
def test_staff_of_two_alliances_reach_both(client, staff_x, other_alliance):
    StaffRoleFactory(user=staff_x, alliance=other_alliance, role="staff")
    client.force_login(staff_x)
    assert client.get("/aalborg/staff/").status_code == 200
    assert client.get("/aarhus/staff/").status_code == 200


@pytest.mark.django_db
def test_staff_see_only_their_own_alliance_companies(client, staff_x, company_a, company_b):
    client.force_login(staff_x)
    assert client.get(f"/aalborg/staff/companies/{company_a.pk}/").status_code == 200
    assert client.get(f"/aalborg/staff/companies/{company_b.pk}/").status_code == 404
    assert client.get(f"/aarhus/staff/companies/{company_b.pk}/").status_code == 403
