"""Seal certificates for the tests (tests/partnerships, tests/network, tests/api): a CA the
portal trusts and a stranger's CA, made once per session with fast EC P-256 keys, and the
helpers that tamper with or re-sign a PDF. Loaded by tests/conftest.py as a plugin."""

import io
import subprocess

import pytest
from django.core.files.base import ContentFile
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import fields, signers
from pypdf import PdfReader

from klimaalliance.management.commands.seal_demo_certificate import (
    make_demo_ca,
    make_seal_pkcs12,
    pem,
)
from klimaalliance.models import SealCertificate

PASSWORD_ENV = "SEAL_TEST_P12_PASSWORD"
PASSWORD = "test-only-p12-password"


class SealCA:
    """A CA of the session: its root PEM file and PKCS#12 seals it issues."""

    def __init__(self, folder, name):
        self.key, self.certificate = make_demo_ca(common_name=f"{name} root")
        self.root_path = folder / f"{name}-root.pem"
        self.root_path.write_bytes(pem(self.certificate))

    def pkcs12(self, common_name, password=PASSWORD) -> bytes:
        return make_seal_pkcs12(
            self.key, self.certificate, common_name=common_name, password=password.encode()
        )


@pytest.fixture(scope="session")
def seal_ca(tmp_path_factory):
    """The CA the portal trusts in these tests, with one platform seal made up front."""
    ca = SealCA(tmp_path_factory.mktemp("seal"), "Klimaalliance TEST")
    ca.platform_p12 = ca.pkcs12("Klimaalliance TEST platform seal")
    return ca


@pytest.fixture(scope="session")
def stranger_ca(tmp_path_factory):
    """A self-made CA nobody configured: its seals are untrusted."""
    ca = SealCA(tmp_path_factory.mktemp("stranger"), "Stranger")
    ca.seal_p12 = ca.pkcs12("Stranger seal")
    return ca


def add_certificate(p12, *, alliance=None, label="Test seal") -> SealCertificate:
    certificate = SealCertificate(alliance=alliance, label=label, password_env=PASSWORD_ENV)
    certificate.read_certificate(p12)
    certificate.pkcs12.save("test.p12", ContentFile(p12), save=False)
    certificate.save()
    return certificate


@pytest.fixture
def trusted(settings, monkeypatch, seal_ca):
    """SEAL_TRUST_ROOTS lists the test root; the p12 password is in the environment."""
    settings.SEAL_TRUST_ROOTS = [str(seal_ca.root_path)]
    settings.SEAL_TSA_URL = ""
    monkeypatch.setenv(PASSWORD_ENV, PASSWORD)
    return seal_ca


@pytest.fixture
def platform_seal(db, trusted):
    return add_certificate(trusted.platform_p12, label="Platform (test)")


def sign_with(p12: bytes, pdf: bytes) -> bytes:
    signer = signers.SimpleSigner.load_pkcs12_data(
        p12, other_certs=[], passphrase=PASSWORD.encode()
    )
    metadata = signers.PdfSignatureMetadata(
        field_name="Someone-else", subfilter=fields.SigSeedSubFilter.PADES
    )
    return signers.sign_pdf(
        IncrementalPdfFileWriter(io.BytesIO(pdf)), metadata, signer=signer
    ).getvalue()


def flip_byte_in_signed_range(data: bytes) -> bytes:
    """One byte changed inside a content stream of the signed revision; the file still
    parses (no offset moves), only the digest no longer matches."""
    start = data.index(b"stream\n", 0, len(data) // 2) + len(b"stream\n") + 10
    changed = bytearray(data)
    changed[start] ^= 0x01
    return bytes(changed)


def stored_pdf(document) -> bytes:
    with document.pdf.open("rb") as handle:
        return handle.read()


def pdf_text(data: bytes) -> str:
    """The text as pdftotext reads it (pypdf when poppler is missing)."""
    try:
        return subprocess.run(
            ["pdftotext", "-layout", "-", "-"], input=data, capture_output=True, check=True
        ).stdout.decode()
    except FileNotFoundError:
        return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


@pytest.fixture
def sealed(platform_seal, alliance, company_a, rep_a, staff_x, django_capture_on_commit_callbacks):
    """A countersigned agreement whose PDF job ran: its PDF is sealed by the platform."""
    from tests.partnerships.test_signing import make_sealed

    with django_capture_on_commit_callbacks(execute=True):
        agreement = make_sealed(alliance, company_a, rep_a, staff_x)
    agreement.refresh_from_db()
    assert agreement.pdf
    return agreement
