"""Exports in the chosen language, API parameters honoured, file names with Danish letters,
factor sources through the translation catalogue (issue 14)."""

import csv
import io

import pytest
from django.utils import translation

from companies import spreadsheets
from emissions.models.factors import SEEDED_TEXTS, factor_text
from klimaalliance.filenames import attachment, file_slug
from klimaalliance.tabular import download
from tests.factories import CompanyFactory, MembershipFactory

pytestmark = pytest.mark.django_db


def rows_of(content):
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=";"))


@pytest.fixture
def member(alliance):
    return MembershipFactory(
        alliance=alliance,
        status="active",
        company=CompanyFactory(legal_name="Grøn Øl ApS", industry="C", size_band="10-49"),
    )


@pytest.mark.parametrize(
    ("prefix", "language", "status"), [("", "da", "aktiv"), ("/en", "en", "active")]
)
def test_the_member_export_speaks_the_page_s_language(
    client, staff_x, member, prefix, language, status
):
    client.force_login(staff_x)
    response = client.get(f"{prefix}/aalborg/staff/companies/export.csv")
    header, row = rows_of(response.content)
    with translation.override(language):
        assert header == spreadsheets.headers()
        assert row[header.index(spreadsheets.column_label("industry"))] == (
            spreadsheets.industry_label("C")
        )
    assert "legal_name" not in header and "size_band" not in header
    assert row[-2] == status
    assert row[3].startswith("C – ")


def test_an_export_in_either_language_imports_again(client, staff_x, member, other_alliance):
    client.force_login(staff_x)
    for prefix in ("", "/en"):
        content = client.get(f"{prefix}/aalborg/staff/companies/export.csv").content
        upload = io.BytesIO(content)
        rows = spreadsheets.read_rows(upload, "members.csv")
        results = spreadsheets.validate_rows(other_alliance, rows)
        # Read in full: only the register rule speaks (an existing company joins as a
        # prospect), no column or label is unknown.
        assert not [e for r in results for e in r.errors if "Unknown" in e or "missing" in e]
        values = results[0].values
        assert (values["industry"], values["size_band"], values["status"]) == (
            "C",
            "10-49",
            "active",
        )


# --- The public partner list --------------------------------------------------------------


def test_partners_csv_is_danish_by_default_and_english_on_request(client, alliance):
    danish = rows_of(client.get("/api/v1/alliances/aalborg/partners.csv").content)[0]
    english = client.get("/api/v1/alliances/aalborg/partners.csv", {"lang": "en"})
    assert danish[:3] == ["cvr", "navn", "branchekode"]
    assert rows_of(english.content)[0][:3] == ["cvr", "name", "industry_code"]
    assert english["Content-Language"] == "en"


def test_partners_csv_honours_format_json(client, alliance):
    response = client.get("/api/v1/alliances/aalborg/partners.csv", {"format": "json"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert response.json() == []


# --- File names ----------------------------------------------------------------------------


def test_file_names_keep_the_danish_letters():
    assert file_slug("Grøn Øl ApS") == "groen-oel-aps"
    assert file_slug("Æblegården Å") == "aeblegaarden-aa"
    assert file_slug("", "document") == "document"


def test_a_download_header_carries_any_name():
    assert attachment("grøn-øl.csv") == "attachment; filename*=utf-8''gr%C3%B8n-%C3%B8l.csv"
    response = download(b"x", "csv", "medlemmer-aalborg")
    assert response["Content-Disposition"] == 'attachment; filename="medlemmer-aalborg.csv"'


# --- Emission-factor sources ----------------------------------------------------------------


def test_every_seeded_factor_text_goes_through_the_catalogue(monkeypatch):
    from importlib import import_module

    seed = import_module("emissions.migrations.0002_seed_factors")
    seeded = {text for row in seed.FACTORS for text in (row[5], row[6]) if text}
    assert seeded <= set(SEEDED_TEXTS)
    monkeypatch.setattr("emissions.models.factors.gettext", lambda text: f"da:{text}", raising=True)
    assert factor_text("Green Power Denmark") == "da:Green Power Denmark"
    assert factor_text("typed by the administrator") == "typed by the administrator"
