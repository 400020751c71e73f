"""The public verification page: a code or the PDF itself tells whether an agreement is
authentic; anything else gets a clear answer, never an error page or a cookie.

Wording is checked on the English pages (/en/verify/); the Danish page at /verify/ is
checked for status codes and data only, so the tests hold with or without translations.
"""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from partnerships import services
from partnerships.forms import MAX_VERIFY_BYTES

from .test_signing import make_sealed, make_sent

pytestmark = pytest.mark.django_db

URL = "/en/verify/"
AUTHENTIC = "This is an authentic signed agreement."
NOT_AUTHENTIC_FILE = "This file is not an authentic signed agreement from this portal"
UNKNOWN_CODE = "not the code of a known signed agreement"


@pytest.fixture
def signed(alliance, company_a, rep_a, staff_x, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        agreement = make_sealed(alliance, company_a, rep_a, staff_x)
    agreement.refresh_from_db()
    assert agreement.pdf
    return agreement


def pdf_bytes(agreement) -> bytes:
    with agreement.pdf.open("rb") as handle:
        return handle.read()


def upload(client, content, name="aftale.pdf"):
    return client.post(URL, {"file": SimpleUploadedFile(name, content, "application/pdf")})


def assert_authentic(body, agreement):
    assert AUTHENTIC in body
    for fact in [
        "Alfa A/S",
        agreement.company.cvr,
        "Aalborg Kommune",
        "Klimaalliancen Aalborg",
        "Anna Alfa",
        "CEO",
        "Lars Leder",
        "Team leader",
        agreement.pdf_sha256,
        agreement.verification_code,
    ]:
        assert fact in body, fact
    for signature in agreement.signatures.all():
        # The page's one date format (English here), with the time to the second, in UTC.
        day = signature.signed_at.strftime("%-d %B %Y")
        assert f"{day} {signature.signed_at:%H:%M:%S} UTC" in body


def test_a_code_shows_the_authentic_agreement(client, signed):
    response = client.get(URL, {"code": signed.verification_code})
    assert response.status_code == 200
    body = response.content.decode()
    assert_authentic(body, signed)
    assert "Active" in body and "Agreement version" in body


def test_codes_are_forgiving_about_case_and_spaces(client, signed):
    typed = f" {signed.verification_code.lower()} "
    assert AUTHENTIC in client.get(URL, {"code": typed}).content.decode()


def test_a_terminated_agreement_is_authentic_and_says_so(client, signed, staff_x):
    services.agreement_terminate(agreement=signed, by=staff_x, reason="The company closed.")
    body = client.get(URL, {"code": signed.verification_code}).content.decode()
    assert AUTHENTIC in body and "Terminated" in body and "terminated on" in body


def test_an_unknown_code_is_not_a_signed_agreement(client, signed):
    response = client.get(URL, {"code": "AAAAA-22222"})
    body = response.content.decode()
    assert response.status_code == 200
    assert UNKNOWN_CODE in body and AUTHENTIC not in body


def test_an_unsigned_agreements_code_is_not_authentic(client, alliance, company_a, staff_x):
    sent = make_sent(alliance, company_a, staff_x)
    body = client.get(URL, {"code": sent.verification_code}).content.decode()
    assert UNKNOWN_CODE in body and "Alfa A/S" not in body


def test_the_real_pdf_is_authentic(client, signed):
    response = upload(client, pdf_bytes(signed))
    assert response.status_code == 200
    body = response.content.decode()
    assert_authentic(body, signed)
    assert "exactly the PDF archived" in body


def test_a_changed_pdf_is_not_authentic(client, signed):
    response = upload(client, pdf_bytes(signed) + b"\n")
    body = response.content.decode()
    assert response.status_code == 200
    assert NOT_AUTHENTIC_FILE in body and AUTHENTIC not in body and "Alfa A/S" not in body


def test_a_file_that_is_no_pdf_is_refused(client, signed):
    response = upload(client, b"PK\x03\x04 a zip file, not a PDF", name="aftale.pdf")
    assert response.status_code == 400
    assert "The file is not a PDF." in response.content.decode()


def test_an_oversized_file_is_refused(client, db):
    content = b"%PDF-1.7\n" + b"0" * (MAX_VERIFY_BYTES + 1)
    response = upload(client, content)
    assert response.status_code == 400
    assert "larger than 20 MB" in response.content.decode()


def test_bad_input_never_breaks_the_page(client, db):
    assert client.get(URL, {"code": "x" * 500}).status_code == 400
    assert client.get(URL, {"code": "'; DROP TABLE x; --"}).status_code == 200
    assert client.post(URL, {}).status_code == 400
    response = client.post(URL, b"--broken\r\nnonsense", content_type="multipart/form-data")
    assert response.status_code in (200, 400)
    assert client.put(URL).status_code == 405


def test_anonymous_visitors_get_no_cookie(client, signed):
    for response in [
        client.get("/verify/"),
        client.get(URL),
        client.get(URL, {"code": signed.verification_code}),
        upload(client, pdf_bytes(signed)),
    ]:
        assert response.status_code == 200
        assert response.cookies == {}, response.cookies
        assert "csrfmiddlewaretoken" not in response.content.decode()


def test_the_upload_works_without_a_csrf_token(signed):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    response = strict.post(URL, {"file": SimpleUploadedFile("a.pdf", pdf_bytes(signed))})
    assert response.status_code == 200
    assert AUTHENTIC in response.content.decode()


def test_danish_and_english_pages(client, db):
    danish = client.get("/verify/")
    english = client.get(URL)
    assert danish.status_code == english.status_code == 200
    assert '<html lang="da">' in danish.content.decode()
    body = english.content.decode()
    assert '<html lang="en">' in body
    assert "<h1>Verify a signed agreement</h1>" in body
    assert 'enctype="multipart/form-data"' in body
    assert re.search(r'<label\s+for="id_code"', body) and re.search(r'<label\s+for="id_file"', body)
