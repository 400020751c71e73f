"""Logs never hold passwords, tokens or e-mail bodies (klimaalliance/log_filters.py).

The tests trigger real log records through the portal (a 410 for a revoked invitation
link, a 500 while a password is posted, a mail printed to the console) and read what the
configured handlers wrote: the console handler of `LOGGING`, pytest's `caplog`, the error
mail to ADMINS.
"""

import io
import logging
from pathlib import Path

import pytest
from django.core import mail
from django.core.mail import EmailMessage
from django.test import Client
from django.views.debug import ExceptionReporter

from companies import invitations as invitation_service
from companies.models import ContactPerson
from klimaalliance.celery import _scrub_worker_logs
from klimaalliance.log_filters import (
    MASK,
    HeadersOnlyConsoleEmailBackend,
    PortalExceptionReporterFilter,
    ScrubSecrets,
    scrub,
)

pytestmark = pytest.mark.django_db

PASSWORD = "Hemmelig-Kode-4711"


@pytest.fixture
def console():
    """What the console handler of LOGGING writes during the test."""
    handlers = [
        handler
        for handler in logging.getLogger().handlers
        if any(isinstance(f, ScrubSecrets) for f in handler.filters)
    ]
    assert handlers, "LOGGING installs no handler with the ScrubSecrets filter"
    stream = io.StringIO()
    previous = [handler.setStream(stream) for handler in handlers]
    yield stream
    for handler, old in zip(handlers, previous, strict=True):
        handler.setStream(old)


@pytest.fixture
def invitation(alliance, company_a, staff_x):
    contact = ContactPerson.objects.create(company=company_a, name="Ida", email="ida@alfa.dk")
    return invitation_service.invitation_send(
        alliance=alliance, contact=contact, by=staff_x, language="da"
    )


def test_a_revoked_invitation_link_is_logged_without_its_token(
    client, invitation, staff_x, console, caplog
):
    token = invitation_service.make_token(invitation)
    invitation_service.invitation_revoke(invitation=invitation, by=staff_x)
    with caplog.at_level(logging.WARNING, logger="django.request"):
        response = client.get(f"/invitation/{token}/")
    assert response.status_code == 410
    records = [r for r in caplog.records if r.name == "django.request"]
    assert [r.getMessage() for r in records] == [f"Gone: /invitation/{MASK}/"]
    assert token not in caplog.text
    assert f"/invitation/{MASK}/" in console.getvalue()
    assert token not in console.getvalue()


def test_a_500_while_a_password_is_posted_logs_and_mails_neither_password_nor_token(
    settings, invitation, console, caplog, monkeypatch
):
    settings.ADMINS = [("Drift", "drift@example.org")]
    token = invitation_service.make_token(invitation)

    def broken(token):
        raise RuntimeError(f"database hiccup for token={token}")

    monkeypatch.setattr(invitation_service, "read_token", broken)
    client = Client(raise_request_exception=False)
    mail.outbox.clear()
    with caplog.at_level(logging.ERROR, logger="django.request"):
        response = client.post(
            f"/invitation/{token}/",
            {"new_password1": PASSWORD, "new_password2": PASSWORD, "password": PASSWORD},
        )
    assert response.status_code == 500
    errors = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert [r.getMessage() for r in errors] == [f"Internal Server Error: /invitation/{MASK}/"]
    logged = caplog.text + console.getvalue()
    assert "RuntimeError: database hiccup" in logged  # the traceback is there ...
    assert token not in logged  # ... without the token
    assert PASSWORD not in logged

    [report] = mail.outbox  # the error mail to ADMINS, with the request's POST data
    assert "new_password1" in report.body
    assert "RuntimeError" in report.body
    assert PASSWORD not in report.body
    assert token not in report.body
    assert token not in report.subject


def test_error_reports_hide_secret_post_fields_the_view_did_not_declare(rf):
    request = rf.post(
        "/somewhere/",
        {
            "password": PASSWORD,
            "api_key": "k-123",
            "csrfmiddlewaretoken": "c-456",
            "city": "Aalborg",
        },
    )
    try:
        raise ValueError("boom")
    except ValueError as error:
        reporter = ExceptionReporter(request, type(error), error, error.__traceback__)
    reporter.filter = PortalExceptionReporterFilter()
    text = reporter.get_traceback_text()
    for secret in (PASSWORD, "k-123", "c-456"):
        assert secret not in text
    assert "Aalborg" in text


def test_a_sign_view_hides_the_signers_name_in_error_reports(settings, client, rep_a, monkeypatch):
    """The signing views declare their POST fields sensitive."""
    from partnerships.views import representative

    settings.ADMINS = [("Drift", "drift@example.org")]
    monkeypatch.setattr(
        representative,
        "_own_agreement",
        lambda request, pk: 1 / 0,  # a 500 inside the view
    )
    client.raise_request_exception = False
    client.force_login(rep_a)
    mail.outbox.clear()
    response = client.post("/my/agreements/1/sign/", {"typed_name": "Anna Underskriver"})
    assert response.status_code == 500
    [report] = mail.outbox
    assert "ZeroDivisionError" in report.body
    assert "Anna Underskriver" not in report.body


def test_mail_printed_to_the_console_shows_headers_but_no_body(
    settings, capsys, alliance, company_a, staff_x
):
    settings.EMAIL_BACKEND = "klimaalliance.log_filters.HeadersOnlyConsoleEmailBackend"
    contact = ContactPerson.objects.create(company=company_a, name="Bo", email="bo@alfa.dk")
    invitation = invitation_service.invitation_send(
        alliance=alliance, contact=contact, by=staff_x, language="da"
    )
    invitation_service._send_mail(invitation)  # on_commit never runs inside the test
    printed = capsys.readouterr().out
    assert "To: bo@alfa.dk" in printed
    assert "Subject:" in printed
    assert "[e-mail body removed]" in printed
    assert invitation_service.make_token(invitation) not in printed
    assert "/invitation/" not in printed


def test_production_without_smtp_prints_headers_only():
    backend = HeadersOnlyConsoleEmailBackend(stream=io.StringIO())
    backend.send_messages([EmailMessage("Hej", f"Din kode er {PASSWORD}", to=["a@b.dk"])])
    printed = backend.stream.getvalue()
    assert "Subject: Hej" in printed
    assert PASSWORD not in printed


@pytest.mark.parametrize(
    ("text", "secret"),
    [
        ("<QueryDict: {'password': ['" + PASSWORD + "'], 'email': ['a@b.dk']}>", PASSWORD),
        ('{"token": "abc.def-123", "user": 7}', "abc.def-123"),
        ("POST body: username=a%40b.dk&password=" + PASSWORD + "&next=/", PASSWORD),
        ("credentials={'username': 'a@b.dk', 'password': '" + PASSWORD + "'}", PASSWORD),
        ("Authorization: Bearer eyJhbGciOi.secret", "eyJhbGciOi.secret"),
        ("Cookie: sessionid=s3ss10n; csrftoken=c5rf", "s3ss10n"),
        ("GET /password/reset/MTI/c8d-4f2a1b/ 200", "c8d-4f2a1b"),
        ("GET /en/invitation/eyJpIjo3fQ:1tXyZ:abc/ 404", "eyJpIjo3fQ:1tXyZ:abc"),
        ("api_key=k-123 failed", "k-123"),
        (
            "MIME-Version: 1.0\nSubject: Invitation\nTo: a@b.dk\n\nClick http://x/invitation/t/"
            "\nHilsen",
            "Hilsen",
        ),
    ],
)
def test_scrub_removes_the_secret(text, secret):
    cleaned = scrub(text)
    assert secret not in cleaned
    assert MASK in cleaned or "[e-mail body removed]" in cleaned


def test_scrub_leaves_ordinary_messages_alone():
    text = "Forbidden (CSRF token missing.): /aalborg/staff/companies/12/notes/"
    assert scrub(text) == text
    assert scrub("Import 7 failed: database unavailable") == (
        "Import 7 failed: database unavailable"
    )


def test_an_email_passed_to_a_logger_loses_its_body(console):
    message = EmailMessage("Hej", f"Din kode er {PASSWORD}", to=["a@b.dk"])
    logging.getLogger("companies").warning("Could not send %s", message)
    assert "Could not send <e-mail to 1 recipient(s)" in console.getvalue()
    assert PASSWORD not in console.getvalue()


def test_celery_and_gunicorn_handlers_get_the_filter():
    stream = io.StringIO()
    logger = logging.getLogger("test.worker")
    handler = logging.StreamHandler(stream)
    logger.addHandler(handler)
    try:
        _scrub_worker_logs(logger=logger)
        logger.warning("retrying with token=%s", "t-789")
    finally:
        logger.removeHandler(handler)
    assert "t-789" not in stream.getvalue()

    namespace = {}
    source = Path(__file__).resolve().parents[2] / "gunicorn.conf.py"
    exec(compile(source.read_text(), str(source), "exec"), namespace)  # noqa: S102
    access = logging.getLogger("test.gunicorn.access")
    access_stream = io.StringIO()
    access.addHandler(logging.StreamHandler(access_stream))
    access.propagate = False

    class Worker:
        class log:
            access_log = access
            error_log = logging.getLogger("test.gunicorn.error")

    namespace["post_worker_init"](Worker)
    access.info('%(h)s "%(r)s" %(s)s', {"h": "127.0.0.1", "r": "GET /invitation/t0k3n/", "s": 404})
    assert "t0k3n" not in access_stream.getvalue()
    assert f"/invitation/{MASK}/" in access_stream.getvalue()
