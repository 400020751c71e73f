"""The signed PDF: made once after the countersignature, PDF/A-3b with embedded fonts, holding
the parties, the signers and the verification code; retried on failure; mailed to the signers.
"""

import hashlib
import io
import time
from pathlib import Path

import pytest
from celery.exceptions import Retry
from django.core import mail
from django.core.management import call_command
from django.db import connection
from pypdf import PdfReader

from partnerships import tasks
from partnerships.documents import render_agreement_pdf as real_render_agreement_pdf
from partnerships.models import Agreement
from tests.conftest import need

from .test_signing import countersign, make_sealed, make_sent, sign_as_company

pytestmark = pytest.mark.django_db


@pytest.fixture
def media(settings, tmp_path):
    """A media folder of the test's own, so files can be counted."""
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.PRIVATE_MEDIA_ROOT = str(tmp_path)
    return tmp_path


@pytest.fixture
def signed(alliance, company_a, rep_a, staff_x, media, django_capture_on_commit_callbacks):
    """Countersigned, with the on-commit PDF job (eager) and the mail it queues run."""
    alliance.contact_email = ""
    alliance.save()
    with django_capture_on_commit_callbacks(execute=True):
        agreement = make_sealed(alliance, company_a, rep_a, staff_x)
    agreement.refresh_from_db()
    return agreement


def pdf_files(media):
    return sorted((media / "agreements").glob("*.pdf"))


def read(agreement) -> PdfReader:
    with agreement.pdf.open("rb") as handle:
        return PdfReader(io.BytesIO(handle.read()))


def text_of(reader) -> str:
    return "\n".join(page.extract_text() for page in reader.pages)


def font_is_embedded(font) -> bool:
    """True when the font (or one of its descendant fonts) carries its font program."""
    fonts = [font, *(d.get_object() for d in font.get("/DescendantFonts", []))]
    for candidate in fonts:
        descriptor = candidate.get("/FontDescriptor")
        if descriptor is None:
            continue
        descriptor = descriptor.get_object()
        if any(key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3")):
            return True
    return False


def page_fonts(reader):
    for page in reader.pages:
        fonts = page.get("/Resources", {}).get_object().get("/Font", {})
        for ref in fonts.get_object().values():
            yield ref.get_object()


def assert_valid_agreement_pdf(agreement):
    """The archived PDF holds the parties, the signers and the code, as embedded PDF/A-3b."""
    reader = read(agreement)
    text = text_of(reader)
    assert agreement.company.legal_name in text
    assert agreement.company.cvr in text
    assert agreement.alliance.municipality in text
    assert "Anna Alfa" in text and "Lars Leder" in text
    assert agreement.verification_code in text

    xmp = reader.trailer["/Root"]["/Metadata"].get_object().get_data()
    assert b"pdfaid:part" in xmp
    assert b'pdfaid:part="3"' in xmp or b"<pdfaid:part>3</pdfaid:part>" in xmp
    assert b'pdfaid:conformance="B"' in xmp or b"<pdfaid:conformance>B</pdfaid:conformance>" in xmp

    fonts = list(page_fonts(reader))
    assert fonts
    assert all(font_is_embedded(font) for font in fonts), [f.get("/BaseFont") for f in fonts]

    with agreement.pdf.open("rb") as handle:
        assert agreement.pdf_sha256 == hashlib.sha256(handle.read()).hexdigest()
    return reader


def test_countersigning_makes_the_pdf(signed):
    assert signed.pdf and signed.pdf_generated_at
    reader = assert_valid_agreement_pdf(signed)
    assert len(reader.pages) >= 2  # the signature page starts on a page of its own


def test_running_the_job_twice_keeps_one_file(signed, media):
    name = signed.pdf.name
    assert len(pdf_files(media)) == 1
    assert tasks.render_agreement_pdf_task.apply(args=[signed.pk]).get() == name
    assert tasks.render_agreement_pdf_task.apply(args=[signed.pk]).get() == name
    signed.refresh_from_db()
    assert signed.pdf.name == name
    assert len(pdf_files(media)) == 1


@pytest.fixture
def sealed_without_pdf(alliance, company_a, rep_a, staff_x, media):
    """Countersigned, but the on-commit PDF job never ran (inside the test transaction)."""
    agreement = make_sent(alliance, company_a, staff_x)
    sign_as_company(agreement, rep_a)
    countersign(agreement, staff_x)
    agreement.refresh_from_db()
    assert agreement.status == Agreement.Status.ACTIVE and not agreement.pdf
    return agreement


def flaky_renderer(monkeypatch, failures):
    """Make the renderer fail `failures` times with a transient error (one the tasks retry,
    klimaalliance.celery.TRANSIENT_ERRORS), then work; returns the call log."""
    calls = []

    def render(agreement):
        calls.append(agreement.pk)
        if len(calls) <= failures:
            raise TimeoutError("fetching the alliance's logo timed out")
        return real_render_agreement_pdf(agreement)

    monkeypatch.setattr(tasks, "render_agreement_pdf", render)
    return calls


def assert_untouched(agreement):
    agreement.refresh_from_db()
    assert agreement.status == Agreement.Status.ACTIVE
    assert not agreement.pdf and not agreement.pdf_sha256
    assert sorted(agreement.signatures.values_list("typed_name", flat=True)) == [
        "Anna Alfa",
        "Lars Leder",
    ]


def test_a_render_failure_is_retried_and_loses_nothing(sealed_without_pdf, monkeypatch, media):
    calls = flaky_renderer(monkeypatch, failures=1)
    # Eager mode propagates the retry request instead of waiting for the backoff.
    with pytest.raises(Retry) as retry:
        tasks.render_agreement_pdf_task.apply(args=[sealed_without_pdf.pk])
    assert isinstance(retry.value.exc, TimeoutError)
    # Backed off (exponential with jitter), not retried at once in a real worker.
    assert 0 <= retry.value.when <= tasks.render_agreement_pdf_task.retry_backoff
    assert calls == [sealed_without_pdf.pk]
    assert_untouched(sealed_without_pdf)
    assert pdf_files(media) == []
    assert mail.outbox == []

    # The retry (here: the next run) succeeds.
    tasks.render_agreement_pdf_task.apply(args=[sealed_without_pdf.pk]).get()
    assert len(calls) == 2
    sealed_without_pdf.refresh_from_db()
    assert_valid_agreement_pdf(sealed_without_pdf)
    assert len(pdf_files(media)) == 1


def test_the_signers_get_the_pdf_by_mail(signed):
    # Beside the hand-over notifications (sent, signed), one mail carries the PDF.
    [message] = [message for message in mail.outbox if message.attachments]
    assert sorted(message.to) == ["leder@aalborg.example", "rep@alfa.example"]
    [(filename, content, mimetype)] = message.attachments
    assert filename == f"klimapartnerskabsaftale-{signed.verification_code}.pdf"
    assert mimetype == "application/pdf"
    assert hashlib.sha256(content).hexdigest() == signed.pdf_sha256


def test_the_representative_downloads_the_pdf(client, rep_a, signed):
    client.force_login(rep_a)
    response = client.get(f"/my/agreements/{signed.pk}/pdf/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "attachment" in response["Content-Disposition"]
    body = b"".join(response.streaming_content)
    assert hashlib.sha256(body).hexdigest() == signed.pdf_sha256
    status = client.get(f"/en/my/agreements/{signed.pk}/pdf/status/").content.decode()
    assert f'href="/en/my/agreements/{signed.pk}/pdf/"' in status and "hx-get" not in status


def test_requeue_command_makes_missing_pdfs(sealed_without_pdf, media, draft_elsewhere):
    out = io.StringIO()
    call_command("requeue_agreement_pdfs", stdout=out)
    assert "Queued 1 agreement PDF(s)." in out.getvalue()
    sealed_without_pdf.refresh_from_db()
    assert_valid_agreement_pdf(sealed_without_pdf)

    out = io.StringIO()
    call_command("requeue_agreement_pdfs", stdout=out)
    assert "Queued 0 agreement PDF(s)." in out.getvalue()


@pytest.fixture
def draft_elsewhere(alliance, company_a, staff_x):
    """A sent (unsealed) agreement the command must leave alone."""
    from tests.factories import CompanyFactory, MembershipFactory

    other = MembershipFactory(alliance=alliance, company=CompanyFactory()).company
    return make_sent(alliance, other, staff_x)


@pytest.mark.services
def test_the_real_worker_renders_the_pdf(real_worker, alliance, company_a, rep_a, staff_x, media):
    need(connection.vendor == "postgresql", "PostgreSQL (DATABASE_URL)")
    agreement = make_sent(alliance, company_a, staff_x)
    sign_as_company(agreement, rep_a)
    countersign(agreement, staff_x)  # autocommit: on_commit sends the job to Redis at once
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        agreement.refresh_from_db()
        if agreement.pdf:
            break
        time.sleep(0.25)
    assert agreement.pdf, "the worker did not make the PDF within 30 s"
    assert Path(agreement.pdf.path).is_file()
    assert_valid_agreement_pdf(agreement)
