"""Accessibility and languages (issue 14): Danish content on English pages is marked
`lang="da"`, wide tables are focusable scroll regions, the accessibility statement and the
privacy policy name each alliance's contact and the complaint bodies."""

import re

import pytest
from django.core.cache import cache

from companies.models import Company
from network.models import WorkingGroup
from tests.emissions.test_documents import approved_report, inventory
from tests.factories import AgreementFactory, PledgeFactory
from tests.public.test_public_pages import partner

pytestmark = pytest.mark.django_db


def html(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def test_danish_descriptions_on_english_pages_are_marked_danish(client, alliance):
    alliance.description = "Virksomheder og kommune i fællesskab."
    alliance.save()
    company, _ = partner(alliance, "Grøn Øl ApS", description="Vi brygger øl på solenergi.")
    translated, _ = partner(
        alliance,
        "Bryggeriet A/S",
        description="Vi brygger med vind.",
        description_en="We brew with wind.",
    )
    cache.clear()
    page = html(client, f"/en/aalborg/partners/{company.cvr}/")
    assert re.search(r'<p class="lead" lang="da">\s*Vi brygger øl på solenergi\.', page)
    page = html(client, "/en/aalborg/")
    assert re.search(r'lang="da">\s*Virksomheder og kommune i fællesskab\.', page)
    # An English translation is English; a Danish page needs no marking.
    page = html(client, f"/en/aalborg/partners/{translated.cvr}/")
    assert '<p class="lead">We brew with wind.' in page
    page = html(client, f"/aalborg/partners/{company.cvr}/")
    assert '<p class="lead">Vi brygger øl på solenergi.' in page
    assert 'lang="da">Vi brygger' not in page


def test_group_names_and_descriptions_are_marked_danish_in_english(client, alliance):
    group = WorkingGroup.objects.create(
        alliance=alliance, name="Grøn logistik", description="Vi deler ladestandere."
    )
    cache.clear()
    page = html(client, "/en/aalborg/groups/")
    assert '<span lang="da">Grøn logistik</span>' in page
    assert re.search(r'<p lang="da">\s*Vi deler ladestandere\.', page)
    page = html(client, f"/en/aalborg/groups/{group.pk}/")
    assert '<h1 lang="da">Grøn logistik</h1>' in page
    assert '<span lang="da">' not in html(client, "/aalborg/groups/")


@pytest.fixture
def progress_partner(alliance, company_a):
    Company.objects.filter(pk=company_a.pk).update(publishes_figures=True)
    inventory(company_a, 2021, "900", "100", baseline=True)
    inventory(company_a, 2024, "700", "100")
    agreement = AgreementFactory(alliance=alliance, company=company_a)
    pledge = PledgeFactory(agreement=agreement)
    approved_report(alliance, company_a, 2024, values=[(pledge, "700")])
    cache.clear()
    return company_a


@pytest.mark.parametrize("prefix", ["", "/en"])
def test_the_progress_table_is_a_focusable_named_region(client, progress_partner, prefix):
    page = html(client, f"{prefix}/aalborg/partners/{progress_partner.cvr}/")
    section = page[page.index('id="progress-heading"') :]
    region = re.search(r'<div class="table-responsive[^"]*"([^>]*)>\s*<table', section)
    assert region, section[:800]
    attributes = region.group(1)
    assert 'tabindex="0"' in attributes and 'role="region"' in attributes
    label = re.search(r'aria-label="([^"]+)"', attributes).group(1)
    assert len(label) > 10


def test_every_wide_table_is_a_focusable_region():
    from pathlib import Path

    root = Path(__file__).resolve().parents[2] / "templates"
    bare = [
        f"{path.relative_to(root)}: {line.strip()}"
        for path in root.rglob("*.html")
        for line in path.read_text().splitlines()
        if 'class="table-responsive' in line and 'tabindex="0"' not in line
    ]
    assert bare == []


@pytest.mark.parametrize(
    ("prefix", "dates"),
    [
        ("", "udarbejdet den 23. november 2026 og senest gennemgået den 1. december 2026"),
        ("/en", "prepared on 23 November 2026 and last reviewed on 1 December 2026"),
    ],
)
def test_the_statement_names_the_contact_and_the_complaint_body(
    client, alliance, other_alliance, prefix, dates
):
    alliance.contact_name = "Mette Klima"
    alliance.contact_email = "klima@aalborg.dk"
    alliance.contact_phone = "99 31 31 31"
    alliance.save()
    page = html(client, f"{prefix}/accessibility/")
    assert "Mette Klima" in page and "mailto:klima@aalborg.dk" in page and "99 31 31 31" in page
    assert other_alliance.name in page  # every alliance, its contact or its website
    assert 'href="https://digst.dk/' in page
    for heading in ("compliance", "non-accessible", "preparation", "feedback", "enforcement"):
        assert f'id="{heading}"' in page
    assert "Digitaliseringsstyrelsen" in page
    assert dates in page  # both dates the template asks for, in the reader's format


@pytest.mark.parametrize("prefix", ["", "/en"])
def test_the_privacy_policy_names_the_contact_and_datatilsynet(client, alliance, prefix):
    alliance.contact_name = "Mette Klima"
    alliance.contact_email = "klima@aalborg.dk"
    alliance.save()
    page = html(client, f"{prefix}/privacy/")
    assert alliance.name in page and "Mette Klima" in page and "mailto:klima@aalborg.dk" in page
    assert 'href="https://www.datatilsynet.dk/' in page
    assert "Datatilsynet" in page


@pytest.mark.parametrize(("prefix", "html_lang"), [("/open-data/", "da"), ("/en/open-data/", "en")])
def test_the_api_documentation_is_a_portal_page_in_both_languages(client, prefix, html_lang):
    response = client.get(prefix)
    assert response.status_code == 200 and not response.cookies
    page = response.content.decode()
    assert f'<html lang="{html_lang}"' in page
    assert 'href="#main"' in page or "main-content" in page  # the portal's own layout
    # The endpoints and their parameters come from the schema.
    for path in ("/api/v1/partners/", "/api/v1/alliances/{slug}/", "/api/v1/progress.csv"):
        assert f"<code>GET {path}</code>" in page
    assert "<code>industry</code>" in page and "<code>sort</code>" in page
    assert "CC BY 4.0" in page and "https://creativecommons.org/licenses/by/4.0/" in page
    assert 'href="/api/v1/partners/' in page  # an example to try
    assert 'href="/api/v1/docs/"' in page and 'href="/api/v1/schema/"' in page
    # Every parameter table is a focusable, named region.
    assert page.count('role="region"') == page.count("<table")


@pytest.mark.parametrize("url", ["/aalborg/", "/en/aalborg/", "/aalborg/partners/", "/"])
def test_the_pages_link_the_api_documentation_page(client, alliance, url):
    page = html(client, url)
    prefix = "/en" if url.startswith("/en/") else ""
    assert f'href="{prefix}/open-data/"' in page
    assert 'href="/api/v1/docs/"' not in page
