"""Asking for a password reset link: the same answer and the same work for any address,
the mail sent by a worker through the outbox, and a limit per address and per network
address, so the form can neither tell who has an account nor flood anybody's inbox.
"""

import datetime
import re
import secrets

import pytest
from django.core import mail
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from klimaalliance import sign_in_views
from klimaalliance.models import OutboxMessage
from klimaalliance.tasks import send_password_reset
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

RESET = "/accounts/password/reset/"
SENT = "/accounts/password/reset/sent/"
WRITES = ("INSERT", "UPDATE", "DELETE")


@pytest.fixture
def ip_address():
    """A network address of this test's own: the count per address lives in the cache,
    which outlives the test (and with Redis, the test run)."""
    address = f"2001:db8::{secrets.token_hex(2)}:{secrets.token_hex(2)}"
    yield address
    cache.delete(f"password-reset:client:{address}")


def ask(client, email, ip_address, language=""):
    return client.post(f"{language}{RESET}", {"email": email}, REMOTE_ADDR=ip_address)


def writes(queries):
    """(statement, table) of each write, without the values."""
    found = []
    for query in queries:
        match = re.match(r'\s*(INSERT INTO|UPDATE|DELETE FROM)\s+"?(\w+)"?', query["sql"])
        if match:
            found.append((match.group(1), match.group(2)))
    return found


def test_a_known_and_an_unknown_address_get_the_same_page_and_the_same_work(
    client, rep_a, ip_address, django_capture_on_commit_callbacks
):
    answers = {}
    for email in ["rep@alfa.example", "nobody@alfa.example"]:
        with (
            CaptureQueriesContext(connection) as queries,
            django_capture_on_commit_callbacks() as queued,
        ):
            response = ask(client, email, ip_address)
        answers[email] = (response.status_code, response["Location"], writes(queries), len(queued))
    outbox_row = ("INSERT INTO", "klimaalliance_outboxmessage")
    assert answers["rep@alfa.example"] == answers["nobody@alfa.example"]
    assert answers["rep@alfa.example"] == (302, SENT, [outbox_row], 1)
    assert list(OutboxMessage.objects.values_list("task", "args")) == [
        (send_password_reset.name, ["rep@alfa.example", "da"]),
        (send_password_reset.name, ["nobody@alfa.example", "da"]),
    ]
    assert mail.outbox == []  # the request never talks to a mail server
    page = client.get(SENT).content.decode()
    assert "Hvis en konto bruger adressen, har vi sendt den et link" in page


def test_the_worker_mails_a_working_link_to_an_active_account_only(
    client, rep_a, ip_address, django_capture_on_commit_callbacks
):
    inactive = UserFactory(email="gone@alfa.example", is_active=False)
    no_password = UserFactory(email="sso@alfa.example")
    no_password.set_unusable_password()
    no_password.save()
    with django_capture_on_commit_callbacks(execute=True):
        for email in [inactive.email, no_password.email, "nobody@alfa.example"]:
            assert ask(client, email, ip_address)["Location"] == SENT
    assert mail.outbox == []

    with django_capture_on_commit_callbacks(execute=True):
        ask(client, " REP@alfa.example", ip_address)
    [message] = mail.outbox
    assert message.to == ["rep@alfa.example"]
    assert message.subject == "Vælg en ny adgangskode til Klimaalliance"
    [(html, mimetype)] = message.alternatives
    assert mimetype == "text/html"
    link = re.search(r"http://testserver(/accounts/password/reset/\S+/)", message.body).group(1)
    assert f'href="http://testserver{link}"' in html
    set_url = client.get(link, follow=True).redirect_chain[-1][0]
    new = "a-new-long-passphrase"
    assert client.post(set_url, {"new_password1": new, "new_password2": new}).status_code == 302
    response = client.post("/accounts/login/", {"username": "rep@alfa.example", "password": new})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(rep_a.pk)


def test_the_mail_speaks_the_language_of_the_request(
    client, rep_a, ip_address, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        assert ask(client, rep_a.email, ip_address, language="/en")["Location"] == "/en" + SENT
    [message] = mail.outbox
    assert "Someone asked to reset the password" in message.body
    assert "http://testserver/en/accounts/password/reset/" in message.body


def test_a_look_alike_address_gets_no_mail_for_the_ascii_account(
    client, ip_address, django_capture_on_commit_callbacks
):
    UserFactory(email="admin@alfa.example")
    with django_capture_on_commit_callbacks(execute=True):
        ask(client, "admın@alfa.example", ip_address)
        ask(client, "ADMİN@alfa.example", ip_address)
    assert mail.outbox == []


@pytest.mark.parametrize("email", ["rep@alfa.example", "nobody@alfa.example"])
def test_the_fourth_request_for_one_address_within_the_hour_sends_nothing(
    client, rep_a, email, ip_address, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        answers = [ask(client, v, ip_address)["Location"] for v in [email, email.upper(), email]]
    assert OutboxMessage.objects.count() == 3
    sent = len(mail.outbox)
    assert sent == (3 if email == rep_a.email else 0)

    with django_capture_on_commit_callbacks(execute=True):
        fourth = ask(client, f" {email.title()} ", ip_address)
    assert fourth["Location"] == answers[0] == SENT  # the same page: the limit tells nothing
    assert OutboxMessage.objects.count() == 3
    assert len(mail.outbox) == sent

    # An hour later, one more.
    OutboxMessage.objects.update(created_at=datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC))
    with django_capture_on_commit_callbacks(execute=True):
        ask(client, email, ip_address)
    assert OutboxMessage.objects.count() == 4


def test_one_network_address_queues_a_limited_number_of_mails(
    client, ip_address, django_capture_on_commit_callbacks
):
    limit = sign_in_views.RESET_REQUESTS_PER_CLIENT
    with django_capture_on_commit_callbacks():
        for n in range(limit + 2):
            assert ask(client, f"person{n}@spray.example", ip_address)["Location"] == SENT
    assert OutboxMessage.objects.count() == limit
    # Somebody else is not held up by it.
    with django_capture_on_commit_callbacks():
        ask(client, "person0@spray.example", f"{ip_address}:1")
    assert OutboxMessage.objects.count() == limit + 1
    cache.delete(f"password-reset:client:{ip_address}:1")
