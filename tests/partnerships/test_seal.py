"""The digital seal (PAdES) on the signed agreement's PDF: made after the countersignature
with the alliance's or the platform's certificate, validated by pyHanko against the trust
roots; the public page tells a tampered file, an unknown certificate and an unsealed copy
apart; and the public PDF names the signers without their e-mail, IP address or browser.

The test CA is made once per session (EC P-256 keys are fast). Wording is checked on the
English page (/en/verify/).
"""

import hashlib
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from pyhanko.keys import load_cert_from_pemder
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext
from pypdf import PdfReader

from klimaalliance import seal
from klimaalliance.admin import SealCertificateForm
from klimaalliance.models import SealCertificate
from klimaalliance.pdf import html_to_pdf
from partnerships.documents import render_agreement_html
from tests.seal_fixtures import (
    PASSWORD,
    PASSWORD_ENV,
    add_certificate,
    flip_byte_in_signed_range,
    pdf_text,
    sign_with,
    stored_pdf,
)

from .test_signing import IP, USER_AGENT, make_sealed

pytestmark = pytest.mark.django_db

URL = "/en/verify/"
CHANGED = "The file has been changed after it was sealed."
UNTRUSTED = "not one of the certificates this portal trusts"
UNSEALED = "The file carries no digital seal."
VALID = "The digital seal is valid"


# --- The sealed agreement --------------------------------------------------------------------


def test_the_countersigned_pdf_carries_a_seal_pyhanko_validates(sealed, seal_ca):
    data = stored_pdf(sealed)
    # The stored hash is of the final, sealed bytes.
    assert sealed.pdf_sha256 == hashlib.sha256(data).hexdigest()
    signature = PdfFileReader(io.BytesIO(data)).embedded_signatures[0]
    assert signature.field_name == seal.FIELD_NAME
    root = load_cert_from_pemder(str(seal_ca.root_path))
    status = validate_pdf_signature(signature, ValidationContext(trust_roots=[root]))
    assert status.intact and status.valid and status.trusted and status.bottom_line
    assert "Klimaalliance TEST platform seal" in status.signing_cert.subject.human_friendly
    assert status.signer_reported_dt is not None
    # An incremental update: the PDF/A WeasyPrint made is untouched in front of it.
    assert data.count(b"%%EOF") == 2
    xmp = PdfReader(io.BytesIO(data)).trailer["/Root"]["/Metadata"].get_object().get_data()
    assert b"pdfaid:part" in xmp


def test_the_alliance_certificate_wins_over_the_platforms(
    trusted, platform_seal, alliance, company_a, rep_a, staff_x, django_capture_on_commit_callbacks
):
    add_certificate(trusted.pkcs12("Aalborg Kommune seal"), alliance=alliance, label="Aalborg")
    with django_capture_on_commit_callbacks(execute=True):
        agreement = make_sealed(alliance, company_a, rep_a, staff_x)
    agreement.refresh_from_db()
    check = seal.check_seal(stored_pdf(agreement))
    assert check.is_valid and "Aalborg Kommune seal" in check.signer


def test_the_verify_page_shows_who_sealed_it_and_when(client, sealed):
    upload = SimpleUploadedFile("aftale.pdf", stored_pdf(sealed), "application/pdf")
    body = client.post(URL, {"file": upload}).content.decode()
    assert "This is an authentic signed agreement." in body
    assert VALID in body
    assert "Klimaalliance TEST platform seal" in body and "Sealed at (UTC)" in body
    assert 'data-seal-status="valid"' in body


def test_one_flipped_byte_is_a_changed_file(client, sealed, seal_ca):
    tampered = flip_byte_in_signed_range(stored_pdf(sealed))
    root = load_cert_from_pemder(str(seal_ca.root_path))
    signature = PdfFileReader(io.BytesIO(tampered)).embedded_signatures[0]
    assert not validate_pdf_signature(signature, ValidationContext(trust_roots=[root])).intact

    check = seal.check_seal(tampered)
    assert check.status == seal.CHANGED and not check.intact
    body = client.post(URL, {"file": SimpleUploadedFile("a.pdf", tampered)}).content.decode()
    assert CHANGED in body and "This is an authentic signed agreement." not in body
    assert 'data-seal-status="changed"' in body


def test_content_appended_after_sealing_is_a_change(sealed, stranger_ca):
    # Someone signs the sealed file again, adding a revision: the portal's seal still holds
    # for its revision, but the file no longer is what was sealed.
    resigned = sign_with(stranger_ca.seal_p12, stored_pdf(sealed))
    assert seal.check_seal(resigned).status == seal.CHANGED


def test_an_unsealed_copy_says_so(client, sealed):
    copy = html_to_pdf(render_agreement_html(sealed, for_pdf=True))
    assert seal.check_seal(copy).status == seal.UNSEALED
    body = client.post(URL, {"file": SimpleUploadedFile("a.pdf", copy)}).content.decode()
    assert UNSEALED in body and 'data-seal-status="unsealed"' in body


def test_a_seal_by_an_unknown_certificate_is_not_trusted(client, sealed, stranger_ca):
    foreign = sign_with(
        stranger_ca.seal_p12, html_to_pdf(render_agreement_html(sealed, for_pdf=True))
    )
    check = seal.check_seal(foreign)
    assert check.status == seal.UNTRUSTED and check.intact and not check.trusted
    assert "Stranger seal" in check.signer
    body = client.post(URL, {"file": SimpleUploadedFile("a.pdf", foreign)}).content.decode()
    assert UNTRUSTED in body and "Stranger seal" in body


def test_a_replaced_certificate_still_verifies_its_documents(sealed, trusted, platform_seal):
    newer = add_certificate(trusted.pkcs12("Klimaalliance TEST seal 2027"), label="2027")
    platform_seal.refresh_from_db()
    assert newer.is_active and not platform_seal.is_active
    assert SealCertificate.objects.filter(alliance=None).count() == 2
    assert seal.check_seal(stored_pdf(sealed)).is_valid
    unsealed = html_to_pdf(render_agreement_html(sealed, for_pdf=True))
    assert "seal 2027" in seal.check_seal(seal.seal_pdf(unsealed)).signer


def test_without_any_certificate_the_pdf_stays_unsealed_with_a_warning(db, caplog):
    data = html_to_pdf("<html lang='en'><body><p>x</p></body></html>")
    with caplog.at_level("WARNING", logger="klimaalliance.seal"):
        assert seal.seal_pdf(data) == data
    assert "No seal certificate configured" in caplog.text


def test_a_configured_certificate_without_its_password_refuses_to_seal(platform_seal, monkeypatch):
    monkeypatch.delenv(PASSWORD_ENV)
    seal._signer.cache_clear()
    with pytest.raises(ValueError, match=PASSWORD_ENV):
        seal.seal_pdf(b"%PDF-1.7")


# --- Personal data in the public PDF --------------------------------------------------------


def test_the_pdf_names_the_signers_without_email_ip_or_browser(sealed, rep_a, staff_x):
    text = pdf_text(stored_pdf(sealed))
    assert "Anna Alfa" in text and "CEO" in text and "Lars Leder" in text
    for private in [rep_a.email, staff_x.email, IP, "198.51.100.2", "KlimaTest", "@"]:
        assert private not in text, private


def test_the_staff_page_keeps_the_audit_record(client, sealed, staff_x, rep_a):
    client.force_login(staff_x)
    body = client.get(f"/en/{sealed.alliance.slug}/staff/agreements/{sealed.pk}/").content.decode()
    assert "Audit record" in body
    assert rep_a.email in body and IP in body and USER_AGENT in body


# --- Certificates: upload and demo ------------------------------------------------------------


def upload_form(p12, password_env=PASSWORD_ENV, **data):
    return SealCertificateForm(
        data={"label": "Uploaded", "password_env": password_env, "is_active": "on", **data},
        files={"upload": SimpleUploadedFile("seal.p12", p12, "application/x-pkcs12")},
    )


def test_an_upload_is_checked_with_the_password_from_the_environment(trusted, monkeypatch):
    form = upload_form(trusted.platform_p12)
    assert form.is_valid(), form.errors
    certificate = form.save()
    assert "Klimaalliance TEST platform seal" in certificate.subject
    assert len(certificate.fingerprint_sha256) == 64 and certificate.valid_until
    assert certificate.pkcs12.storage.location != ""  # the private storage
    stored = SealCertificate.objects.filter(pk=certificate.pk).values()[0]
    assert PASSWORD not in str(stored)

    monkeypatch.setenv(PASSWORD_ENV, "wrong")
    wrong = upload_form(trusted.platform_p12)
    assert not wrong.is_valid()
    assert "password" in str(wrong.errors) and PASSWORD not in str(wrong.errors)
    unset = upload_form(trusted.platform_p12, password_env="NOT_SET_ANYWHERE")
    assert not unset.is_valid() and "NOT_SET_ANYWHERE" in str(unset.errors)


def test_the_demo_certificate_seals_and_its_root_is_trusted(settings, tmp_path, client):
    settings.DEBUG = True
    settings.PRIVATE_MEDIA_ROOT = str(tmp_path)
    settings.SEAL_TRUST_ROOTS = [str(tmp_path / "seal" / "demo-root.pem")]
    out = io.StringIO()
    call_command("seal_demo_certificate", stdout=out)
    call_command("seal_demo_certificate", stdout=out)  # idempotent
    certificate = SealCertificate.objects.get(is_active=True)
    assert SealCertificate.objects.count() == 1
    assert "DEMO – not valid for real documents" in certificate.subject
    sealed = seal.seal_pdf(html_to_pdf("<html lang='da'><body><p>Demo</p></body></html>"))
    check = seal.check_seal(sealed)
    assert check.is_valid, check
    assert "DEMO" in check.signer


@pytest.mark.services
def test_the_real_worker_seals_the_countersigned_pdf(
    real_worker, trusted, settings, tmp_path, alliance, company_a, rep_a, staff_x
):
    """Through Redis and a real worker: countersigning yields a sealed PDF/A that the
    seal check (pyHanko against the configured root) finds intact and trusted."""
    import time

    from django.db import connection

    from tests.conftest import need

    from .test_signing import countersign, make_sent, sign_as_company

    need(connection.vendor == "postgresql", "PostgreSQL (DATABASE_URL)")
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.PRIVATE_MEDIA_ROOT = str(tmp_path / "private")
    add_certificate(trusted.platform_p12, label="Platform (test)")
    agreement = make_sent(alliance, company_a, staff_x)
    sign_as_company(agreement, rep_a)
    countersign(agreement, staff_x)  # autocommit: on_commit sends the job to Redis at once
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and not agreement.pdf:
        time.sleep(0.25)
        agreement.refresh_from_db()
    assert agreement.pdf, "the worker did not make the PDF within 30 s"
    data = stored_pdf(agreement)
    assert agreement.pdf_sha256 == hashlib.sha256(data).hexdigest()
    check = seal.check_seal(data)
    assert check.is_valid, check.reason
    assert data.count(b"%%EOF") == 2  # the seal is an incremental update of the PDF/A
