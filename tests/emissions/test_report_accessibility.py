"""Accessible report PDFs (issue 16, part 4): the company report and the alliance's annual
report are tagged PDF/UA-1, read back with pikepdf the way a screen reader finds them.

What is checked: a structure tree, the document's language (/Lang) and MarkInfo, the
title in the metadata shown instead of the file name (DisplayDocTitle), PDF/UA
identification in the XMP, headings H1–H3 in source order, tables with header cells that
every data cell points to and a caption, charts as /Figure with a text alternative that
holds the numbers behind the chart, and bookmarks made from the headings.
"""

import io
import logging
import time
from dataclasses import dataclass, field
from decimal import Decimal

import pikepdf
import pytest
from django.db import connection
from django.utils import translation

from emissions import documents
from tests.conftest import need
from tests.factories import AllianceTargetFactory, CompanyFactory, MembershipFactory

from . import test_documents
from .test_documents import approved_report, inventory, pdf_text

# The figures of test_documents: Alfa A/S with its 2024 report.
alfa_2024 = test_documents.alfa_2024

pytestmark = pytest.mark.django_db


@pytest.fixture
def media(settings, tmp_path):
    """Report PDFs are private files: a private folder of the test's own."""
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.PRIVATE_MEDIA_ROOT = str(tmp_path / "private")
    return tmp_path


def stored(field_file) -> bytes:
    with field_file.storage.open(field_file.name, "rb") as stored_file:
        return stored_file.read()


D = Decimal


# --- Reading the tags back ---------------------------------------------------------------------


@dataclass
class Tagged:
    """What the structure tree of a PDF says, in reading order."""

    lang: str
    marked: bool
    display_doc_title: bool
    title: str
    xmp_title: str
    ua_part: str
    outline: list[tuple[int, str]]
    types: list[str] = field(default_factory=list)  # every structure element, in order
    figures: list[str] = field(default_factory=list)  # each /Figure's /Alt ("" if none)
    tables: list[dict] = field(default_factory=list)


def _walk(element, tagged, table=None):
    kind = str(element.get("/S", ""))[1:]
    tagged.types.append(kind)
    if kind == "Figure":
        tagged.figures.append(str(element.get("/Alt", "")))
    if kind == "Table":
        table = {"captions": 0, "th": 0, "td": 0, "td_without_header": 0, "row_headers": 0}
        tagged.tables.append(table)
    elif table is not None:
        if kind == "Caption":
            table["captions"] += 1
        elif kind == "TH":
            table["th"] += 1
        elif kind == "TD":
            table["td"] += 1
            attributes = element.get("/A", {})
            if not len(attributes.get("/Headers", [])):
                table["td_without_header"] += 1
    kids = element.get("/K")
    if kids is None:
        return
    if not isinstance(kids, pikepdf.Array):
        kids = [kids]
    for kid in kids:
        if isinstance(kid, pikepdf.Dictionary) and kid.get("/Type") == "/StructElem":
            _walk(kid, tagged, table)


def _outline(pdf) -> list[tuple[int, str]]:
    entries = []

    def visit(items, level):
        for item in items:
            entries.append((level, item.title))
            visit(item.children, level + 1)

    with pdf.open_outline() as outline:
        visit(outline.root, 1)
    return entries


def read_tags(data: bytes) -> Tagged:
    with pikepdf.open(io.BytesIO(data)) as pdf:
        root = pdf.Root
        assert "/StructTreeRoot" in root, "no structure tree: the PDF is not tagged"
        meta = pdf.open_metadata()
        tagged = Tagged(
            lang=str(root.get("/Lang", "")),
            marked=bool(root.get("/MarkInfo", {}).get("/Marked", False)),
            display_doc_title=bool(
                root.get("/ViewerPreferences", {}).get("/DisplayDocTitle", False)
            ),
            title=str(pdf.docinfo.get("/Title", "")),
            xmp_title=str(meta.get("dc:title", "")),
            ua_part=str(meta.get("pdfuaid:part", "")),
            outline=_outline(pdf),
        )
        (document,) = root.StructTreeRoot.K
        assert document.S == "/Document"
        for element in document.K:
            _walk(element, tagged)
    return tagged


def headings(tagged: Tagged) -> list[str]:
    return [kind for kind in tagged.types if kind in ("H1", "H2", "H3", "H4", "H5", "H6")]


def assert_accessible(tagged: Tagged, *, title: str):
    """The checks every report PDF passes (issue 16: "a report PDF passes the tagging
    checks")."""
    assert tagged.ua_part == "1"  # PDF/UA-1 identification in the XMP metadata
    assert tagged.lang == "da"
    assert tagged.marked
    assert tagged.display_doc_title
    assert tagged.title == title and tagged.xmp_title == title
    assert tagged.types[0] == "H1", "the title heading comes first in the reading order"
    assert headings(tagged).count("H1") == 1
    assert tagged.figures, "the chart is a figure"
    assert all(tagged.figures), "every figure has a text alternative"
    for table in tagged.tables:
        assert table["captions"] == 1, table
        assert table["th"] and table["td"], table
        assert table["td_without_header"] == 0, table
    # Bookmarks: one per heading, the title at the top and the sections below it.
    assert len(tagged.outline) == len(headings(tagged))
    assert tagged.outline[0] == (1, title.split(" – ")[0])


# --- One company's report -------------------------------------------------------------------------


def weasyprint_errors(caplog) -> list[str]:
    """What WeasyPrint complained about while tagging (a missing lang, an image without
    alt text, ...)."""
    return [r.getMessage() for r in caplog.records if r.name.startswith("weasyprint")]


def test_the_company_report_is_a_tagged_pdf_ua_document(alfa_2024, caplog):
    caplog.set_level(logging.ERROR, logger="weasyprint")
    data = documents.report_pdf(alfa_2024)
    assert weasyprint_errors(caplog) == []
    tagged = read_tags(data)
    with translation.override("da"):
        heading = translation.gettext("Progress report %(year)s") % {"year": 2024}
        sections = [
            translation.gettext("Emissions"),
            translation.gettext("Pledges"),
            translation.gettext("The year in brief"),
        ]
    assert_accessible(tagged, title=f"{heading} – Alfa A/S")
    assert headings(tagged) == ["H1", "H2", "H2", "H2"]
    assert [text for level, text in tagged.outline[1:]] == sections
    assert all(level == 2 for level, _text in tagged.outline[1:])
    # The two tables: emissions per scope and the pledges, with row headers.
    assert len(tagged.tables) == 2
    assert all(table["th"] > 5 for table in tagged.tables)
    # The chart's alternative gives the numbers behind it, year by year, in Danish style.
    (alt,) = tagged.figures
    for figure in ("2021", "1.234,5", "2024", "963,5", "800,3"):
        assert figure in alt, figure
    # What is tagged is still what is printed.
    assert "Halvér udledningen" in pdf_text(data)


def test_the_chart_alternative_lists_every_year_with_its_scopes(alfa_2024):
    with translation.override("en"):
        context = documents.report_context(alfa_2024, language="en")
    alt = context["chart_alt"]
    assert alt.startswith(context["chart_summary"])
    assert "2021 (baseline): scope 1 1,000 t, scope 2 234.5 t, scope 3 0 t, total 1,234.5 t" in alt
    assert "2024: scope 1 800.3 t, scope 2 150.5 t, scope 3 12.8 t, total 963.5 t CO2e." in alt


# --- The alliance's annual report -------------------------------------------------------------


@pytest.fixture
def annual_2024(alfa_2024, alliance):
    bravo = MembershipFactory(alliance=alliance, company=CompanyFactory(legal_name="Bravo ApS"))
    inventory(bravo.company, 2022, "500", "100", baseline=True)
    inventory(bravo.company, 2024, "400", "50")
    approved_report(alliance, bravo.company, 2024, narrative="Elbiler til alle sælgere.")
    AllianceTargetFactory(alliance=alliance, reduction_percent=D("70"), target_year=2030)
    return alliance


def assert_annual_report_2024(data: bytes):
    tagged = read_tags(data)
    with translation.override("da"):
        heading = translation.gettext("Annual report %(year)s") % {"year": 2024}
    assert_accessible(tagged, title=f"{heading} – Klimaalliancen Aalborg")
    # Key figures, chart, sectors, highlights (a company each), members.
    assert headings(tagged) == ["H1", "H2", "H2", "H2", "H3", "H3", "H2"]
    assert [level for level, _text in tagged.outline] == [1, 2, 2, 2, 3, 3, 2]
    assert {"Alfa A/S", "Bravo ApS"} <= {text for _level, text in tagged.outline}
    # Key figures, years behind the chart, sectors, members: each with header cells.
    assert len(tagged.tables) == 4
    (alt,) = tagged.figures
    # The members' approved total per year (2024 only), their baselines and the target:
    # 1.234,5 + 600 = 1.834,5; 963,5 + 450 = 1.413,5; 1.834,5 × 30 % = 550,4 in 2030.
    for figure in ("2024", "1.413,5", "1.834,5", "550,4", "2030"):
        assert figure in alt, figure


def test_the_annual_report_is_a_tagged_pdf_ua_document(annual_2024, media, caplog):
    caplog.set_level(logging.ERROR, logger="weasyprint")
    document = documents.alliance_report_request(alliance=annual_2024, year=2024)
    documents.alliance_report_pdf_store(document.pk)
    document.refresh_from_db()
    assert weasyprint_errors(caplog) == []
    assert_annual_report_2024(stored(document.pdf))


@pytest.mark.services
def test_the_real_worker_renders_the_annual_report_tagged(real_worker, annual_2024, media):
    need(connection.vendor == "postgresql", "PostgreSQL (DATABASE_URL)")
    document = documents.alliance_report_request(alliance=annual_2024, year=2024)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        document.refresh_from_db()
        if document.pdf and not documents.alliance_report_pending(document):
            break
        time.sleep(0.25)
    assert document.pdf, "the worker did not render the annual report within 60 s"
    assert_annual_report_2024(stored(document.pdf))


def test_agreements_stay_pdf_a_and_are_not_changed_by_the_report_variant():
    """Sealed agreements and papers keep PDF/A-3b: only reports are PDF/UA."""
    from klimaalliance.pdf import html_to_pdf

    data = html_to_pdf("<html lang='da'><head><title>T</title></head><body><p>x</p></body></html>")
    with pikepdf.open(io.BytesIO(data)) as pdf:
        meta = pdf.open_metadata()
        assert str(meta.get("pdfaid:part")) == "3" and str(meta.get("pdfaid:conformance")) == "B"
