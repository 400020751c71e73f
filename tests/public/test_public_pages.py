"""What citizens see: the national overview, an alliance's front page, the partner list,
a partner's profile and the embeddable list. Only public data; no cookies; cached."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import AgreementFactory, CompanyFactory, MembershipFactory, PledgeFactory

pytestmark = pytest.mark.django_db


def partner(alliance, name, *, industry="C", focus=("energy",), form="joint", **fields):
    company = CompanyFactory(legal_name=name, industry=industry, **fields)
    MembershipFactory(alliance=alliance, company=company)
    agreement = AgreementFactory(
        alliance=alliance, company=company, focus_areas=list(focus), partnership_form=form
    )
    return company, agreement


@pytest.fixture
def partners(alliance):
    gront, gront_deal = partner(
        alliance,
        "Grønt Bryggeri A/S",
        industry="C",
        focus=("energy", "production"),
        city="Aalborg",
        description="Vi brygger øl på solenergi.",
        description_en="We brew beer on solar power.",
    )
    PledgeFactory(
        agreement=gront_deal, title="Halvér udledningen", baseline_value=800, target_value=400
    )
    PledgeFactory(agreement=gront_deal, title="Hemmeligt tilsagn", is_public=False)
    farm, _ = partner(alliance, "Bondegården", industry="A", focus=("agriculture",), form="project")
    draft_company = CompanyFactory(legal_name="Kladde ApS")
    MembershipFactory(alliance=alliance, company=draft_company)
    AgreementFactory(alliance=alliance, company=draft_company, status="draft")
    ended = CompanyFactory(legal_name="Opsagt ApS")
    AgreementFactory(alliance=alliance, company=ended, status="terminated")
    return {"gront": gront, "farm": farm}


def test_front_page_shows_key_figures_and_only_active_partners(client, alliance, partners):
    html = client.get("/aalborg/").content.decode()
    assert "Grønt Bryggeri A/S" in html and "Bondegården" in html
    assert "Kladde ApS" not in html and "Opsagt ApS" not in html
    assert '<p class="key-figure mb-0">2</p>' in html  # partners and industries
    assert '<p class="key-figure mb-0">400</p>' in html  # t CO2e pledged (public only)


def test_national_overview_lists_alliances_with_partner_counts(
    client, alliance, partners, other_alliance
):
    html = client.get("/").content.decode()
    assert "Klimaalliancen Aalborg" in html and "Klimaalliancen Aarhus" in html
    assert '<dt class="col-7">Partnere</dt><dd class="col-5">2</dd>' in html


@pytest.mark.parametrize(
    ("params", "shown", "hidden"),
    [
        ({"q": "brygg"}, ["Grønt Bryggeri"], ["Bondegården"]),
        ({"industry": "A"}, ["Bondegården"], ["Grønt Bryggeri"]),
        ({"focus": "production"}, ["Grønt Bryggeri"], ["Bondegården"]),
        ({"form": "project"}, ["Bondegården"], ["Grønt Bryggeri"]),
        ({"focus": "no-such-area"}, ["Grønt Bryggeri", "Bondegården"], []),
        ({"q": "x" * 5000}, ["Grønt Bryggeri", "Bondegården"], []),
        ({"page": "abc"}, ["Grønt Bryggeri"], []),
        ({"page": "99999"}, ["Grønt Bryggeri"], []),
        ({"q": "<script>alert(1)</script>"}, [], ["Grønt Bryggeri"]),
        ({"q": "' OR 1=1 --"}, [], ["Grønt Bryggeri"]),
    ],
)
def test_partner_list_filters_and_survives_nonsense(
    client, alliance, partners, params, shown, hidden
):
    response = client.get("/aalborg/partners/", params)
    assert response.status_code == 200
    html = response.content.decode()
    for name in shown:
        assert name in html, (params, name)
    for name in hidden:
        assert name not in html, (params, name)
    assert "<script>alert(1)</script>" not in html
    assert "Kladde ApS" not in html


def test_partner_list_sorts_and_paginates_keeping_the_filters(client, alliance):
    for n in range(30):
        partner(alliance, f"Firma {n:02d}", focus=("energy",))
    html = client.get("/aalborg/partners/", {"focus": "energy"}).content.decode()
    assert "Side 1 af 2" in html
    assert "focus=energy&amp;page=2" in html
    assert html.index("Firma 00") < html.index("Firma 01")
    html = client.get("/aalborg/partners/", {"focus": "energy", "sort": "-name"}).content.decode()
    assert "Firma 29" in html and "Firma 00" not in html


def count_queries(client, url):
    with CaptureQueriesContext(connection) as context:
        assert client.get(url).status_code == 200
    return len(context.captured_queries)


def test_partner_list_and_search_cost_constant_queries(client, alliance, settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
    for n in range(5):
        partner(alliance, f"Lille {n}")
    few = count_queries(client, "/aalborg/partners/")
    few_search = count_queries(client, "/aalborg/partners/?q=i&focus=energy&industry=C")
    for n in range(60):
        partner(alliance, f"Stor {n}")
    assert count_queries(client, "/aalborg/partners/") == few
    assert count_queries(client, "/aalborg/partners/?q=i&focus=energy&industry=C") == few_search


def test_profile_shows_only_public_data_in_the_visitors_language(client, alliance, partners):
    cvr = partners["gront"].cvr
    html = client.get(f"/aalborg/partners/{cvr}/").content.decode()
    assert "Vi brygger øl på solenergi." in html
    assert "Halvér udledningen" in html and "(−50 %)" in html
    assert "Hemmeligt tilsagn" not in html
    english = client.get(f"/en/aalborg/partners/{cvr}/").content.decode()
    assert "We brew beer on solar power." in english


def test_profiles_of_non_partners_and_unknown_alliances_are_friendly_404s(
    client, alliance, partners
):
    for url in [
        "/nowhere/",
        "/nowhere/partners/",
        "/aalborg/partners/12345678/",
        f"/aarhus/partners/{partners['gront'].cvr}/",
    ]:
        response = client.get(url)
        assert response.status_code == 404, url
        assert "Siden blev ikke fundet" in response.content.decode()


def test_public_pages_set_no_cookies(client, alliance, partners):
    cvr = partners["gront"].cvr
    for url in [
        "/",
        "/aalborg/",
        "/en/aalborg/",
        "/aalborg/partners/",
        "/en/aalborg/partners/",
        "/aalborg/partners/?q=grøn&focus=energy",
        f"/aalborg/partners/{cvr}/",
        "/aalborg/embed/",
        "/accessibility/",
        "/privacy/",
        "/sitemap.xml",
        "/robots.txt",
    ]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert "Set-Cookie" not in response.headers, url
        assert not response.cookies, url


def test_pages_are_cached_until_their_data_changes(
    client, alliance, partners, django_capture_on_commit_callbacks
):
    with CaptureQueriesContext(connection) as first:
        client.get("/aalborg/partners/")
    with CaptureQueriesContext(connection) as second:
        html = client.get("/aalborg/partners/").content.decode()
    assert len(second.captured_queries) < len(first.captured_queries)
    assert "Grønt Bryggeri A/S" in html
    company = partners["gront"]
    company.display_name = "Grønt Bryg"
    with django_capture_on_commit_callbacks(execute=True):  # the version is bumped on commit
        company.save()
    assert "Grønt Bryg<" in client.get("/aalborg/partners/").content.decode()


def test_only_the_embeddable_list_may_be_framed(client, alliance, partners):
    embed = client.get("/aalborg/embed/")
    assert "X-Frame-Options" not in embed.headers
    assert "Grønt Bryggeri A/S" in embed.content.decode()
    assert client.get("/aalborg/partners/").headers["X-Frame-Options"] == "DENY"
    assert "/aalborg/embed/" in client.get("/aalborg/").content.decode()


def test_sitemap_titles_and_opengraph(client, alliance, partners):
    sitemap = client.get("/sitemap.xml").content.decode()
    assert f"/aalborg/partners/{partners['gront'].cvr}/" in sitemap
    assert "/en/aalborg/" in sitemap
    html = client.get(f"/aalborg/partners/{partners['gront'].cvr}/").content.decode()
    assert "<title>Grønt Bryggeri A/S · Klimaalliancen Aalborg</title>" in html
    assert 'property="og:title" content="Grønt Bryggeri A/S · Klimaalliancen Aalborg"' in html
    assert 'hreflang="en"' in html
    assert "Sitemap:" in client.get("/robots.txt").content.decode()


def test_an_unknown_filter_value_is_explained_next_to_its_filter_and_ignored(
    client, alliance, partners
):
    response = client.get("/en/aalborg/partners/", {"industry": "ZZ", "form": "project"})
    assert response.status_code == 200
    html = response.content.decode()
    # The other filters still apply; the unknown one does not.
    assert "Bondegården" in html and "Grønt Bryggeri" not in html
    select = html[html.index('<select name="industry"') :]
    select = select[: select.index(">")]
    assert "is-invalid" in select and 'aria-describedby="id_industry_error"' in select
    message = html[html.index('id="id_industry_error"') :]
    assert message.index("Unknown value “ZZ”: this filter is not applied.") < message.index(
        "</div>"
    )
    # A valid page shows no such message.
    assert "is-invalid" not in client.get("/en/aalborg/partners/?industry=A").content.decode()


def test_an_unknown_filter_value_costs_no_extra_query(client, alliance, partners, settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
    assert count_queries(client, "/aalborg/partners/?industry=ZZ&sort=nope") == count_queries(
        client, "/aalborg/partners/"
    )
