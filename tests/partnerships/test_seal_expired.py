"""A seal whose certificate has expired since (issue 16): a document sealed while the
certificate was valid still verifies, judged at the moment it was sealed (the timestamp, or
else the signing time in the signature); a document sealed after the certificate expired
does not."""

import datetime
import time

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID
from django.core.files.uploadedfile import SimpleUploadedFile

from klimaalliance import seal
from klimaalliance.pdf import html_to_pdf
from tests.seal_fixtures import PASSWORD, sign_with

pytestmark = pytest.mark.django_db

# pyHanko's certificate validator allows a second either side of a validity period.
TOLERANCE = datetime.timedelta(seconds=1)


def seal_p12(ca, *, not_before, not_after) -> bytes:
    """A seal certificate issued by the test CA, valid between the two moments."""
    key = ec.generate_private_key(ec.SECP256R1())
    certificate = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Short-lived seal")]))
        .issuer_name(ca.certificate.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(not_after)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .sign(ca.key, hashes.SHA256())
    )
    return pkcs12.serialize_key_and_certificates(
        b"seal",
        key,
        certificate,
        None,
        serialization.BestAvailableEncryption(PASSWORD.encode()),
    )


def a_pdf() -> bytes:
    return html_to_pdf("<html lang='da'><head><title>Aftale</title></head><body>x</body></html>")


def wait_until(moment: datetime.datetime):
    time.sleep(max(0.0, (moment - datetime.datetime.now(datetime.UTC)).total_seconds()))


@pytest.fixture
def sealed_then_expired(trusted):
    """Sealed while its certificate was valid; the certificate expired seconds later."""
    now = datetime.datetime.now(datetime.UTC).replace(microsecond=0)
    expires = now + datetime.timedelta(seconds=2)
    p12 = seal_p12(trusted, not_before=now - datetime.timedelta(days=1), not_after=expires)
    data = sign_with(p12, a_pdf())
    assert seal.check_seal(data).is_valid  # still valid today
    wait_until(expires + TOLERANCE + datetime.timedelta(milliseconds=300))
    return data


def test_a_seal_made_before_the_certificate_expired_still_verifies(sealed_then_expired):
    check = seal.check_seal(sealed_then_expired)
    assert check.status == seal.VALID and check.trusted and check.intact
    assert check.certificate_expired
    assert check.checked_at == check.signed_at  # no timestamp: the signing time
    assert "Short-lived seal" in check.signer
    assert check.as_dict()["certificate_expired"] is True


def test_the_verify_page_says_the_certificate_expired_since(client, sealed_then_expired):
    upload = SimpleUploadedFile("aftale.pdf", sealed_then_expired, "application/pdf")
    response = client.post("/en/verify/", {"file": upload})
    html = response.content.decode()
    assert 'data-seal-status="valid"' in html
    assert "The certificate has expired since; it was valid when the file was sealed" in html


def test_a_seal_made_after_the_certificate_expired_is_not_trusted(trusted):
    now = datetime.datetime.now(datetime.UTC)
    p12 = seal_p12(
        trusted,
        not_before=now - datetime.timedelta(days=10),
        not_after=now - datetime.timedelta(days=1),
    )
    check = seal.check_seal(sign_with(p12, a_pdf()))
    assert check.status == seal.UNTRUSTED
    assert not check.trusted and not check.certificate_expired


def test_a_tampered_file_of_an_expired_certificate_is_still_a_change(sealed_then_expired):
    from tests.seal_fixtures import flip_byte_in_signed_range

    check = seal.check_seal(flip_byte_in_signed_range(sealed_then_expired))
    assert check.status == seal.CHANGED and not check.certificate_expired


def test_the_api_says_the_certificate_expired_since(client, sealed_then_expired):
    upload = SimpleUploadedFile("aftale.pdf", sealed_then_expired, "application/pdf")
    response = client.post("/api/v1/verify/", {"file": upload})
    assert response.status_code == 200
    result = response.json()["seal"]
    assert result["status"] == "valid" and result["certificate_expired"] is True
    assert result["checked_at"] == result["sealed_at"]
