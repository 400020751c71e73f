"""A demo CA and a demo seal certificate, so `make run` seals its PDFs (development only).

The certificate is named "DEMO – not valid for real documents" and chains to a demo root
whose PEM is written to PRIVATE_MEDIA_ROOT/seal/demo-root.pem, where SEAL_TRUST_ROOTS points
by default in DEBUG. Idempotent: an active demo certificate whose root is still there is
kept. Real certificates are uploaded in the admin (README, "Sealed documents").
"""

import datetime

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.management.base import BaseCommand, CommandError

from klimaalliance.models import SealCertificate
from klimaalliance.storage import private_storage

DEMO_LABEL = "DEMO – not valid for real documents"
ROOT_NAME = "seal/demo-root.pem"


def make_demo_ca(common_name="Klimaalliance DEMO root – not valid for real documents"):
    """(key, certificate) of a self-signed CA with an EC P-256 key, valid ten years."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "DK"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Klimaalliance DEMO"),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=False,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    return key, certificate


def make_seal_pkcs12(ca_key, ca_certificate, *, common_name=DEMO_LABEL, password=None) -> bytes:
    """A PKCS#12 file with a new EC P-256 key and its seal certificate issued by the CA
    (KeyUsage digital_signature and content_commitment, valid three years)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.hazmat.primitives.serialization import pkcs12
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(
            x509.Name(
                [
                    x509.NameAttribute(NameOID.COUNTRY_NAME, "DK"),
                    x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Klimaalliance DEMO"),
                    x509.NameAttribute(NameOID.COMMON_NAME, common_name),
                ]
            )
        )
        .issuer_name(ca_certificate.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=3 * 365))
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
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_certificate.public_key()),
            critical=False,
        )
        .sign(ca_key, hashes.SHA256())
    )
    encryption = (
        serialization.BestAvailableEncryption(password)
        if password
        else serialization.NoEncryption()
    )
    return pkcs12.serialize_key_and_certificates(
        b"klimaalliance-seal", key, certificate, [ca_certificate], encryption
    )


def pem(certificate) -> bytes:
    from cryptography.hazmat.primitives import serialization

    return certificate.public_bytes(serialization.Encoding.PEM)


class Command(BaseCommand):
    help = "Create a demo CA and a demo seal certificate for the platform (development only)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--force", action="store_true", help="Make a new demo CA even if one exists."
        )

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError(
                "Development only (DEBUG=1): real documents are sealed with a real "
                "organisation certificate, uploaded in the admin."
            )
        storage = private_storage()
        existing = SealCertificate.objects.filter(
            alliance__isnull=True, is_active=True, label=DEMO_LABEL
        ).first()
        if existing and storage.exists(ROOT_NAME) and not options["force"]:
            self.stdout.write(f"Demo seal certificate already there: {existing.subject}")
            return
        ca_key, ca_certificate = make_demo_ca()
        if storage.exists(ROOT_NAME):
            storage.delete(ROOT_NAME)
        storage.save(ROOT_NAME, ContentFile(pem(ca_certificate)))
        # The demo file has no password (password_env empty): it is a published demo key.
        certificate = SealCertificate(alliance=None, label=DEMO_LABEL, password_env="")
        data = make_seal_pkcs12(ca_key, ca_certificate)
        certificate.read_certificate(data)
        certificate.pkcs12.save("demo.p12", ContentFile(data), save=False)
        certificate.save()
        root_path = storage.path(ROOT_NAME)
        self.stdout.write(f"Demo seal certificate: {certificate.subject}")
        self.stdout.write(f"Demo root (trust it through SEAL_TRUST_ROOTS): {root_path}")
        if root_path not in [str(p) for p in settings.SEAL_TRUST_ROOTS]:
            self.stdout.write(
                self.style.WARNING(
                    "SEAL_TRUST_ROOTS does not list the demo root: seals will "
                    "show as made by an unknown certificate."
                )
            )
