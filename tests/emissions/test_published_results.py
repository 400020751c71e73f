"""The alliance's published results (issue 17): staff publish the public progress as a
tagged PDF in Danish and English; anyone downloads it from the alliance page, and its
figures are those of the page, the API and the CSV file."""

import io
import re
from decimal import Decimal

import pikepdf
import pytest
from django.utils import translation
from pypdf import PdfReader

from emissions.models.reporting import PublishedResults
from klimaalliance.numbers import format_number
from tests.public.test_progress import figures  # noqa: F401 (a fixture)

pytestmark = pytest.mark.django_db

STAFF = "/aalborg/staff/emissions/results"


@pytest.fixture
def published(client, staff_x, figures, django_capture_on_commit_callbacks):  # noqa: F811
    client.force_login(staff_x)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"{STAFF}/publish/", follow=True)
    assert response.status_code == 200
    client.logout()
    return PublishedResults.objects.get(alliance__slug="aalborg")


def pdf_bytes(response) -> bytes:
    return b"".join(response.streaming_content)


def pdf_text(data: bytes) -> str:
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    return re.sub(r"\s+", " ", text)


def test_staff_publish_and_the_alliance_page_links_the_pdf(client, alliance, published):
    assert published.pdf and published.pdf_en and not published.pending
    page = client.get("/en/aalborg/").content.decode()
    assert "Download the results as PDF" in page
    assert 'href="/en/aalborg/results.pdf"' in page
    danish = client.get("/aalborg/").content.decode()
    assert "Hent resultaterne som PDF" in danish


def test_the_pdf_shows_the_figures_of_the_page_the_api_and_the_csv(client, alliance, published):
    api = client.get("/api/v1/progress/?alliance=aalborg").json()["alliances"][0]
    editions = (("", "da", "Klimaresultater"), ("/en", "en", "Climate results"))
    for prefix, language, heading in editions:
        response = client.get(f"{prefix}/aalborg/results.pdf")
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        text = pdf_text(pdf_bytes(response))
        assert heading in text
        with translation.override(language):
            reduction = format_number(Decimal(api["reduction_t"]), 1)
            percent = format_number(Decimal(api["reduction_percent"]), 1)
            year_total = format_number(Decimal(api["years"][0]["emissions_t"]), 1)
        assert reduction in text and f"{percent} %" in text and year_total in text
        assert f"{api['pledges']['on_track']} " in text
        assert "Alfa A/S" in text and "Skjult" not in text  # a member that does not publish


def test_the_pdf_is_tagged_in_its_language(client, published):
    for prefix, language in (("", "da"), ("/en", "en")):
        data = pdf_bytes(client.get(f"{prefix}/aalborg/results.pdf"))
        with pikepdf.open(io.BytesIO(data)) as pdf:
            assert str(pdf.Root.Lang) == language
            assert "/StructTreeRoot" in pdf.Root and pdf.Root.MarkInfo.Marked
            figures = [
                element
                for element in _structure(pdf.Root.StructTreeRoot)
                if element.get("/S") == "/Figure"
            ]
            assert figures and all("/Alt" in figure for figure in figures)


def _structure(node):
    kids = node.get("/K")
    if kids is None:
        return
    for kid in kids if isinstance(kids, pikepdf.Array) else [kids]:
        if isinstance(kid, pikepdf.Dictionary) and "/S" in kid:
            yield kid
            yield from _structure(kid)


def test_nothing_published_is_not_found_and_not_linked(client, alliance, figures):  # noqa: F811
    assert client.get("/aalborg/results.pdf").status_code == 404
    assert "results.pdf" not in client.get("/en/aalborg/").content.decode()


def test_the_staff_page_shows_what_a_publication_would_show(client, staff_x, figures):  # noqa: F811
    client.force_login(staff_x)
    page = client.get(f"/en{STAFF}/").content.decode()
    assert "Nothing is published yet." in page
    with translation.override("en"):
        assert format_number(Decimal(200), 1) in page
    assert "Publish the results" in page


def test_publishing_again_replaces_the_files(
    client, staff_x, published, django_capture_on_commit_callbacks
):
    first = published.pdf.name
    client.force_login(staff_x)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"{STAFF}/publish/")
    published.refresh_from_db()
    assert published.pdf.name == first  # same path: one file per language
    assert not published.pending


def test_only_the_alliances_own_staff_publish(client, staff_y, rep_a, alliance, figures):  # noqa: F811
    client.force_login(staff_y)  # staff of another alliance
    assert client.post(f"{STAFF}/publish/").status_code in (403, 404)
    client.force_login(rep_a)  # a company representative
    assert client.post(f"{STAFF}/publish/").status_code in (403, 404)
    client.logout()
    response = client.post(f"{STAFF}/publish/")
    assert response.status_code == 302 and "/login/" in response["Location"]
    assert not PublishedResults.objects.exists()
