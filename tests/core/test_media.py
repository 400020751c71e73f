"""Public uploads are served at /media/ in production too; private files (signed PDFs,
reports, imports, attachments, group documents) live outside MEDIA_ROOT, have no /media/
address, and reach people only through views that check permissions."""

import hashlib
import io
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.management import CommandError, call_command
from PIL import Image

from klimaalliance.storage import PrivateFileSystemStorage, private_file_fields
from tests.partnerships.test_signing import make_sealed

pytestmark = pytest.mark.django_db


def png_bytes():
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "green").save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.fixture
def roots(settings, tmp_path):
    """Production-like: DEBUG off, each root a folder of the test's own."""
    settings.DEBUG = False
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.PRIVATE_MEDIA_ROOT = str(tmp_path / "private-media")
    return tmp_path / "media", tmp_path / "private-media"


@pytest.fixture
def signed(alliance, company_a, rep_a, staff_x, roots, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        agreement = make_sealed(alliance, company_a, rep_a, staff_x)
    agreement.refresh_from_db()
    assert agreement.pdf
    return agreement


def test_a_company_logo_is_served_with_debug_off(client, company_a, roots):
    media, _private = roots
    image = png_bytes()
    company_a.logo.save("logo.png", ContentFile(image))
    assert Path(company_a.logo.path).is_relative_to(media)

    response = client.get(company_a.logo.url)

    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert b"".join(response.streaming_content) == image
    assert "public" in response["Cache-Control"] and "max-age=3600" in response["Cache-Control"]
    assert not response.cookies
    # Unchanged since the browser's copy: 304, no body.
    again = client.get(company_a.logo.url, HTTP_IF_MODIFIED_SINCE=response["Last-Modified"])
    assert again.status_code == 304


def test_a_signed_pdf_is_stored_privately_and_has_no_media_address(client, signed, roots):
    media, private = roots
    path = Path(signed.pdf.path)
    assert path.is_file()
    assert path.is_relative_to(private) and not path.is_relative_to(media)
    assert isinstance(signed.pdf.storage, PrivateFileSystemStorage)

    assert client.get(f"/media/{signed.pdf.name}").status_code == 404
    assert client.get(signed.pdf.url).status_code == 404


def test_the_permission_checked_download_still_works(client, rep_a, rep_b, signed):
    client.force_login(rep_b)
    assert client.get(f"/my/agreements/{signed.pk}/pdf/").status_code == 404
    client.force_login(rep_a)
    response = client.get(f"/my/agreements/{signed.pk}/pdf/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    body = b"".join(response.streaming_content)
    assert hashlib.sha256(body).hexdigest() == signed.pdf_sha256


def test_media_serves_only_images_inside_media_root(client, roots):
    media, private = roots
    (media / "companies" / "logos").mkdir(parents=True)
    (media / "companies" / "logos" / "logo.png").write_bytes(png_bytes())
    # Left behind by a version that kept private files here, not moved yet.
    (media / "agreements").mkdir()
    (media / "agreements" / "old.pdf").write_bytes(b"%PDF-1.7 old\n")
    (private / "agreements").mkdir(parents=True)
    (private / "agreements" / "secret.png").write_bytes(png_bytes())

    assert client.get("/media/companies/logos/logo.png").status_code == 200
    for url in [
        "/media/agreements/old.pdf",
        "/media/companies/logos/",
        "/media/companies/logos/missing.png",
        "/media/../private-media/agreements/secret.png",
        "/media/%2e%2e/private-media/agreements/secret.png",
        "/media/..%2fprivate-media/agreements/secret.png",
        "/media//etc/passwd.png",
    ]:
        assert client.get(url).status_code == 404, url
    assert client.post("/media/companies/logos/logo.png").status_code == 405


def test_every_private_kind_of_file_uses_the_private_storage():
    # (Other private files, e.g. seal certificates, may join them.)
    fields = {f"{model._meta.label}.{field.name}" for model, field in private_file_fields()}
    assert fields >= {
        "companies.ImportJob.file",
        "partnerships.Agreement.pdf",
        "emissions.Inventory.attachment",
        "emissions.Report.pdf",
        "emissions.AllianceReport.pdf",
        "network.GroupDocument.file",
        "network.CommitmentPaper.pdf",
    }


def test_move_private_media_moves_old_files_once(signed, roots, company_a):
    media, _private = roots
    company_a.logo.save("logo.png", ContentFile(png_bytes()))
    # As before the split: the signed PDF in MEDIA_ROOT.
    old = media / signed.pdf.name
    old.parent.mkdir(parents=True)
    Path(signed.pdf.path).replace(old)

    out = io.StringIO()
    call_command("move_private_media", "--dry-run", stdout=out)
    assert "would move 1," in out.getvalue() and old.is_file()

    call_command("move_private_media", stdout=(out := io.StringIO()))
    assert "moved 1, already in place 0, missing 0" in out.getvalue()
    assert not old.exists()
    assert hashlib.sha256(Path(signed.pdf.path).read_bytes()).hexdigest() == signed.pdf_sha256
    assert Path(company_a.logo.path).is_file()  # public files stay

    call_command("move_private_media", stdout=(out := io.StringIO()))
    assert "moved 0, already in place 1, missing 0" in out.getvalue()

    # A different file of the same name in both folders is left alone, loudly.
    old.write_bytes(b"%PDF-1.7 something else\n")
    with pytest.raises(CommandError, match="differs"):
        call_command("move_private_media", stdout=io.StringIO())
    assert old.is_file()
