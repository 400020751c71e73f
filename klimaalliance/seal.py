"""The digital seal (PAdES) on the portal's signed PDFs, and its check.

`seal_pdf` signs a finished PDF/A as an incremental update with the organisation certificate
of the document's alliance, or the platform's (`SealCertificate`): the document itself is
left byte for byte as it was, and a PDF reader shows who sealed it and that nothing changed
since. `check_seal` answers the same question for an uploaded file, validating the
certificate against the trust roots in settings.SEAL_TRUST_ROOTS, never against the table,
so documents sealed by a certificate replaced since still verify. A certificate that has
expired since is judged at the moment of sealing: the trusted timestamp's time, or else the
signing time inside the signature (`SealCheck.certificate_expired` says so).
"""

import asyncio
import io
import logging
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from .models import SealCertificate

logger = logging.getLogger(__name__)

FIELD_NAME = "Klimaalliance-segl"
SIGNATURE_BYTES_RESERVED = 16384


# --- Sealing -------------------------------------------------------------------------------


def _outside_event_loop(function, *args, **kwargs):
    """pyHanko signs and validates through asyncio.run(), which refuses to start where an
    event loop already runs in this thread (an async view; Playwright beside the browser
    tests): there, run it in a thread of its own."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return function(*args, **kwargs)
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(function, *args, **kwargs).result()


def active_certificate(alliance=None) -> SealCertificate | None:
    """The alliance's active certificate, else the platform's; None when neither exists."""
    active = SealCertificate.objects.filter(is_active=True)
    certificate = None
    if alliance is not None:
        certificate = active.filter(alliance=alliance).first()
    return certificate or active.filter(alliance__isnull=True).first()


@lru_cache(maxsize=16)
def _signer(pk: int, fingerprint: str, data: bytes, password: bytes | None):
    """A pyHanko signer for one certificate row, parsed once per process."""
    from pyhanko.sign import signers

    signer = signers.SimpleSigner.load_pkcs12_data(data, other_certs=[], passphrase=password)
    if signer is None:  # pyHanko logs the reason and returns None
        raise ValueError(f"Seal certificate {pk} ({fingerprint[:16]}) does not open.")
    return signer


def _timestamper():
    from pyhanko.sign import timestamps

    url = getattr(settings, "SEAL_TSA_URL", "")
    return timestamps.HTTPTimeStamper(url, timeout=10) if url else None


def seal_pdf(pdf_bytes: bytes, *, alliance=None) -> bytes:
    """`pdf_bytes` with a PAdES seal appended as an incremental update: signing time, the
    certificate chain and, when settings.SEAL_TSA_URL is set, an RFC 3161 timestamp.

    Returns the input unchanged only when no certificate is configured at all (with a
    warning); a configured certificate that fails to open raises, so no document is
    silently left unsealed.
    """
    certificate = active_certificate(alliance)
    if certificate is None:
        logger.warning("No seal certificate configured: the PDF is stored unsealed.")
        return pdf_bytes
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers

    signer = _signer(
        certificate.pk,
        certificate.fingerprint_sha256,
        certificate.pkcs12_bytes(),
        certificate.password(),
    )
    metadata = signers.PdfSignatureMetadata(
        field_name=FIELD_NAME,
        subfilter=fields.SigSeedSubFilter.PADES,
        md_algorithm="sha256",
        location=str(alliance.municipality) if alliance is not None else "",
    )
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf_bytes), strict=False)
    # A fixed reservation for the CMS blob saves pyHanko a dry-run signature to measure it
    # (about half the cost); it fits a 4096-bit RSA chain with a timestamp token.
    output = _outside_event_loop(
        signers.sign_pdf,
        writer,
        metadata,
        signer=signer,
        timestamper=_timestamper(),
        bytes_reserved=SIGNATURE_BYTES_RESERVED,
    )
    return output.getvalue()


# --- Checking ------------------------------------------------------------------------------

VALID = "valid"
CHANGED = "changed"
UNTRUSTED = "untrusted"
UNSEALED = "unsealed"
UNREADABLE = "unreadable"

REASONS = {
    VALID: _(
        "The digital seal is valid: the file is exactly as it was when it was sealed, and "
        "the certificate that sealed it is trusted."
    ),
    CHANGED: _(
        "The file has been changed after it was sealed. Do not rely on its content; ask the "
        "municipality for the original."
    ),
    UNTRUSTED: _(
        "The file is sealed, but by a certificate that is not one of the certificates this "
        "portal trusts. It was not sealed by this portal."
    ),
    UNSEALED: _(
        "The file carries no digital seal. It may be an unsealed copy (for example printed "
        "to PDF or saved again by another program); check the original file."
    ),
    UNREADABLE: _("The file could not be read as a PDF. It may be damaged or changed."),
}


@dataclass
class SealCheck:
    """What a file's seal says. `status` is one of VALID, CHANGED, UNTRUSTED, UNSEALED,
    UNREADABLE; the facts are empty when there is no readable seal."""

    status: str
    signer: str = ""
    issuer: str = ""
    signed_at: datetime | None = None
    timestamped_at: datetime | None = None
    intact: bool = False
    trusted: bool = False
    field_name: str = ""
    # The certificate has expired since; it was checked at `checked_at` (the timestamp, or
    # else the signing time) instead of now.
    certificate_expired: bool = False
    checked_at: datetime | None = None

    @property
    def is_valid(self) -> bool:
        return self.status == VALID

    @property
    def reason(self) -> str:
        return str(REASONS[self.status])

    def as_dict(self) -> dict:
        return {
            "status": self.status,
            "valid": self.is_valid,
            "reason": self.reason,
            "sealed_by": self.signer or None,
            "issuer": self.issuer or None,
            "sealed_at": self.signed_at,
            "timestamped_at": self.timestamped_at,
            "intact": self.intact,
            "trusted": self.trusted,
            "certificate_expired": self.certificate_expired,
            "checked_at": self.checked_at,
        }


@lru_cache(maxsize=32)
def _load_root(path: str, modified_ns: int):
    from pyhanko.keys import load_certs_from_pemder

    return list(load_certs_from_pemder([path]))


def trust_roots():
    """The certificates from settings.SEAL_TRUST_ROOTS (PEM or DER files), read again when
    a file changes; a missing or unreadable file is skipped with a warning."""
    roots = []
    for path in getattr(settings, "SEAL_TRUST_ROOTS", []):
        try:
            roots.extend(_load_root(str(path), Path(path).stat().st_mtime_ns))
        except (OSError, ValueError):
            logger.warning("Seal trust root %s cannot be read; it is skipped.", path)
    return roots


def _validation_context(moment: datetime | None = None):
    """Certificates judged now, or at `moment` (the time a document was sealed)."""
    from pyhanko_certvalidator import ValidationContext

    # No fetching: verification answers from the file and the configured roots alone,
    # quickly and without reaching the network for every upload.
    when = {"moment": moment, "best_signature_time": moment} if moment else {}
    return ValidationContext(trust_roots=trust_roots(), allow_fetching=False, **when)


def _sealing_moment(status) -> datetime | None:
    """When the document was sealed: a trusted timestamp's time, else the signing time the
    signature itself carries (the portal's own claim, covered by the signature)."""
    timestamp = status.timestamp_validity
    if timestamp is not None and timestamp.valid and timestamp.trusted:
        return timestamp.timestamp
    return status.signer_reported_dt


def _expired_since(status) -> bool:
    certificate = status.signing_cert
    if certificate is None:
        return False
    return certificate.not_valid_after < datetime.now(UTC)


def _unchanged_since(status) -> bool:
    """True when the signature covers the whole file, or what follows it only adds
    validation data (an LTA update), never content."""
    from pyhanko.sign.validation.status import ModificationLevel, SignatureCoverageLevel

    if status.coverage == SignatureCoverageLevel.ENTIRE_FILE:
        return True
    return (
        status.coverage == SignatureCoverageLevel.ENTIRE_REVISION
        and status.modification_level is not None
        and status.modification_level <= ModificationLevel.LTA_UPDATES
        and bool(status.docmdp_ok)
    )


def _name(name) -> str:
    try:
        return name.human_friendly
    except Exception:  # an odd name must not break the check
        return ""


def check_seal(data: bytes) -> SealCheck:
    """Validate the portal's seal on `data` (the first signature, by its field name if
    present): intact, unchanged since, made by a certificate that chains to a trust root."""
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature

    # Uploads are anyone's bytes: whatever the parser trips over is an unreadable file,
    # never an error page.
    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        signatures = list(reader.embedded_signatures)
        ours = [s for s in signatures if s.field_name == FIELD_NAME]
    except Exception:
        return SealCheck(UNREADABLE)
    if not signatures:
        return SealCheck(UNSEALED)
    embedded = (ours or signatures)[0]
    checked_at = None
    try:
        status = _outside_event_loop(validate_pdf_signature, embedded, _validation_context())
        if status.intact and status.valid and not status.trusted and _expired_since(status):
            # Expired since: was the certificate valid and trusted when it sealed?
            checked_at = _sealing_moment(status)
            if checked_at is not None:
                at_sealing = _outside_event_loop(
                    validate_pdf_signature,
                    embedded,
                    _validation_context(checked_at),
                    ts_validation_context=_validation_context(),
                )
                if at_sealing.trusted:
                    status = at_sealing
                else:
                    checked_at = None
    except Exception:  # a signature too damaged to validate: the file was changed
        logger.info("Seal validation failed on a damaged signature", exc_info=True)
        return SealCheck(CHANGED, field_name=embedded.field_name)
    certificate = status.signing_cert
    intact = bool(status.intact and status.valid)
    check = SealCheck(
        status=VALID,
        signer=_name(certificate.subject) if certificate is not None else "",
        issuer=_name(certificate.issuer) if certificate is not None else "",
        signed_at=status.signer_reported_dt,
        timestamped_at=status.timestamp_validity.timestamp if status.timestamp_validity else None,
        intact=intact,
        trusted=bool(status.trusted),
        field_name=embedded.field_name,
        certificate_expired=checked_at is not None,
        checked_at=checked_at,
    )
    if not intact or not _unchanged_since(status):
        check.status = CHANGED
    elif not check.trusted:
        check.status = UNTRUSTED
    return check
