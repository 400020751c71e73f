"""POST /api/v1/verify/: the verification page's answer for machines, as JSON."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from klimaalliance.pdf import html_to_pdf
from partnerships.documents import render_agreement_html
from tests.seal_fixtures import flip_byte_in_signed_range, sign_with, stored_pdf

pytestmark = pytest.mark.django_db

URL = "/api/v1/verify/"


def verify(client, content, name="aftale.pdf", **query):
    suffix = "?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else ""
    upload = SimpleUploadedFile(name, content, "application/pdf")
    return client.post(URL + suffix, {"file": upload})


def test_the_archived_pdf_is_authentic_and_its_seal_valid(client, sealed):
    response = verify(client, stored_pdf(sealed))
    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    assert response.cookies == {}
    body = response.json()
    assert body["authentic"] is True
    assert body["agreement"]["verification_code"] == sealed.verification_code
    assert body["agreement"]["cvr"] == sealed.company.cvr
    assert body["seal"]["status"] == "valid" and body["seal"]["valid"] is True
    assert body["seal"]["intact"] and body["seal"]["trusted"]
    assert "Klimaalliance TEST platform seal" in body["seal"]["sealed_by"]
    assert body["seal"]["sealed_at"]


def test_a_flipped_byte_is_reported_as_changed(client, sealed):
    body = verify(client, flip_byte_in_signed_range(stored_pdf(sealed))).json()
    assert body["authentic"] is False and body["agreement"] is None
    assert body["seal"]["status"] == "changed" and body["seal"]["intact"] is False
    assert "changed after it was sealed" in body["seal"]["reason"]


def test_unsealed_and_foreign_files_get_their_reasons(client, sealed, stranger_ca):
    copy = html_to_pdf(render_agreement_html(sealed, for_pdf=True))
    unsealed = verify(client, copy).json()["seal"]
    assert unsealed["status"] == "unsealed" and unsealed["sealed_by"] is None
    assert "no digital seal" in unsealed["reason"]

    foreign = verify(client, sign_with(stranger_ca.seal_p12, copy)).json()["seal"]
    assert foreign["status"] == "untrusted" and foreign["intact"] and not foreign["trusted"]
    assert "Stranger seal" in foreign["sealed_by"]


def test_the_reason_comes_in_danish_on_request(client, sealed):
    english = verify(client, stored_pdf(sealed)).json()["seal"]["reason"]
    response = verify(client, stored_pdf(sealed), lang="da")
    assert response.status_code == 200 and response["Content-Language"] == "da"
    assert english.startswith("The digital seal is valid")
    assert response.json()["seal"]["reason"].startswith("Det digitale segl er gyldigt")


def test_bad_uploads_are_400s_with_the_field_named(client, db):
    assert client.post(URL, {}).status_code == 400
    not_pdf = verify(client, b"PK\x03\x04 zip")
    assert not_pdf.status_code == 400 and "not a PDF" in not_pdf.json()["file"][0]
    assert client.post(URL, b"{}", content_type="application/json").status_code == 415
    assert client.get(URL).status_code == 405
    broken = verify(client, b"%PDF-1.7\n garbage without any structure")
    assert broken.status_code == 200 and broken.json()["seal"]["status"] == "unreadable"


def test_the_schema_documents_the_endpoint(client, db):
    schema = client.get("/api/v1/schema/?format=json").json()
    operation = schema["paths"]["/api/v1/verify/"]["post"]
    assert "multipart/form-data" in operation["requestBody"]["content"]
    assert {"200", "400", "415"} <= set(operation["responses"])
