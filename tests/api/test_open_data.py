"""The open data API (/api/v1/): only public data, strict filters with JSON errors, a
constant number of queries, CORS for GET, no cookies, the CSV download and the docs."""

import csv
import datetime
import io
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from api.views import csv_safe, yearly_totals
from companies.industries import Industry
from klimaalliance.choices import FocusArea
from partnerships.models import Signature
from tests.factories import (
    AgreementFactory,
    AllianceFactory,
    AllianceTargetFactory,
    CompanyFactory,
    MembershipFactory,
    PledgeFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

UTC = datetime.UTC


def countersign(agreement, when):
    Signature.objects.create(
        agreement=agreement,
        party=Signature.Party.MUNICIPALITY,
        user=UserFactory(),
        typed_name="Borgmester",
        title="Borgmester",
        signed_at=when,
        content_sha256="0" * 64,
    )


def partner(
    alliance,
    name,
    *,
    industry="C",
    focus=("energy",),
    form="joint",
    signed=None,
    status="active",
    **fields,
):
    company = CompanyFactory(legal_name=name, industry=industry, **fields)
    MembershipFactory(alliance=alliance, company=company)
    agreement = AgreementFactory(
        alliance=alliance,
        company=company,
        focus_areas=list(focus),
        partnership_form=form,
        status=status,
    )
    if signed:
        countersign(agreement, signed)
    return company, agreement


@pytest.fixture
def data(alliance, other_alliance):
    AllianceTargetFactory(
        alliance=alliance, reduction_percent=70, target_year=2030, baseline_year=1990
    )
    AllianceTargetFactory(
        alliance=alliance, reduction_percent=100, target_year=2050, baseline_year=None
    )
    gront, gront_deal = partner(
        alliance,
        "Grønt Bryggeri A/S",
        industry="C",
        focus=("energy", "production"),
        signed=datetime.datetime(2025, 3, 1, 10, 0, tzinfo=UTC),
        city="Aalborg",
        website="https://gront.example",
        description="Vi brygger øl på solenergi.",
        description_en="We brew beer on solar power.",
    )
    PledgeFactory(
        agreement=gront_deal,
        title="Halvér udledningen",
        focus_area="energy",
        baseline_value=800,
        target_value=400,
    )
    PledgeFactory(agreement=gront_deal, title="Hemmeligt tilsagn", is_public=False)
    farm, farm_deal = partner(
        alliance,
        "Bondegården",
        industry="A",
        focus=("agriculture",),
        form="project",
        signed=datetime.datetime(2024, 6, 1, 8, 0, tzinfo=UTC),
    )
    PledgeFactory(
        agreement=farm_deal,
        title="Elektrisk traktor",
        focus_area="agriculture",
        is_milestone=True,
        metric="",
        baseline_year=None,
        baseline_value=None,
        target_value=None,
    )
    draft, draft_deal = partner(alliance, "Kladde ApS", status="draft")
    PledgeFactory(agreement=draft_deal, title="Kladdetilsagn")
    ended, ended_deal = partner(
        alliance,
        "Opsagt ApS",
        status="terminated",
        signed=datetime.datetime(2024, 2, 1, 9, 0, tzinfo=UTC),
    )
    ended_deal.terminated_on = datetime.date(2025, 6, 1)
    ended_deal.save()
    PledgeFactory(agreement=ended_deal, title="Opsagt tilsagn")
    expired, _ = partner(alliance, "Udløbet ApS", status="expired")
    beta, beta_deal = partner(
        other_alliance,
        "Beta ApS",
        industry="F",
        focus=("buildings",),
        signed=datetime.datetime(2025, 9, 1, 12, 0, tzinfo=UTC),
    )
    PledgeFactory(agreement=beta_deal, title="Grønne byggepladser", focus_area="buildings")
    return {
        "gront": gront,
        "farm": farm,
        "draft": draft,
        "ended": ended,
        "expired": expired,
        "beta": beta,
    }


def names(response):
    return [row["name"] for row in response.json()["results"]]


def assert_json_error(response, status):
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    return response.json()


# --- Alliances ----------------------------------------------------------------------------


def test_alliance_list_and_detail(client, data):
    response = client.get("/api/v1/alliances/")
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2
    aalborg = next(row for row in body["results"] if row["slug"] == "aalborg")
    assert aalborg["name"] == "Klimaalliancen Aalborg"
    assert aalborg["municipality"] == "Aalborg Kommune"
    assert aalborg["municipality_code"] == "0851"
    assert aalborg["partner_count"] == 2  # Grønt Bryggeri and Bondegården only
    assert aalborg["url"] == "http://testserver/aalborg/"
    assert aalborg["url_en"] == "http://testserver/en/aalborg/"
    assert aalborg["partners_csv"] == "http://testserver/api/v1/alliances/aalborg/partners.csv"
    assert aalborg["targets"] == [
        {"reduction_percent": 70.0, "target_year": 2030, "baseline_year": 1990, "net_zero": False},
        {"reduction_percent": 100.0, "target_year": 2050, "baseline_year": None, "net_zero": True},
    ]
    assert {"description", "description_en", "website"} <= set(aalborg)
    assert "contact_email" not in aalborg and "contact_phone" not in aalborg

    detail = client.get("/api/v1/alliances/aalborg/").json()
    assert detail == aalborg


def test_unknown_alliance_is_a_json_404(client, data):
    assert "detail" in assert_json_error(client.get("/api/v1/alliances/no-such-town/"), 404)


def test_alliance_list_queries_do_not_grow_with_alliances(client, data):
    with CaptureQueriesContext(connection) as few:
        client.get("/api/v1/alliances/")
    for _ in range(5):
        AllianceTargetFactory(alliance=AllianceFactory())
    with CaptureQueriesContext(connection) as many:
        assert client.get("/api/v1/alliances/").json()["count"] == 7
    assert len(few) == len(many) <= 3


# --- Partners -----------------------------------------------------------------------------


def test_partner_list_shows_only_current_partners(client, data):
    response = client.get("/api/v1/partners/")
    assert response.status_code == 200
    assert names(response) == ["Beta ApS", "Bondegården", "Grønt Bryggeri A/S"]
    text = response.content.decode()
    for hidden in ("Kladde", "Opsagt", "Udløbet", "Hemmeligt"):
        assert hidden not in text


def test_partner_representation(client, data):
    response = client.get("/api/v1/partners/", {"alliance": "aalborg", "q": "brygg"})
    (gront,) = response.json()["results"]
    assert gront == {
        "cvr": data["gront"].cvr,
        "name": "Grønt Bryggeri A/S",
        "legal_name": "Grønt Bryggeri A/S",
        "industry": {"code": "C", "label": "Manufacturing"},
        "sub_industry": "",
        "size_band": "",
        "city": "Aalborg",
        "website": "https://gront.example",
        "description": "Vi brygger øl på solenergi.",
        "description_en": "We brew beer on solar power.",
        "logo": None,
        "logo_alt": "",
        "alliances": [
            {
                "slug": "aalborg",
                "name": "Klimaalliancen Aalborg",
                "signed_at": "2025-03-01T10:00:00Z",
                "start_date": "2025-01-01",
                "end_date": "2028-01-01",
                "partnership_form": "joint",
                "focus_areas": ["energy", "production"],
                "pledges": [
                    {
                        "title": "Halvér udledningen",
                        "description": "",
                        "focus_area": "energy",
                        "scopes": [],
                        "is_milestone": False,
                        "metric": "t CO2e",
                        "baseline_year": 2021,
                        "baseline_value": 800.0,
                        "target_year": 2030,
                        "target_value": 400.0,
                        "reduction_percent": 50.0,
                    }
                ],
            }
        ],
    }


def test_partner_labels_in_danish_on_request(client, data):
    response = client.get("/api/v1/partners/", {"q": "brygg", "lang": "da"})
    with translation.override("da"):
        danish = str(Industry.C.label)
    assert response.json()["results"][0]["industry"]["label"] == danish != "Manufacturing"
    assert response["Content-Language"] == "da"
    assert client.get("/api/v1/partners/")["Content-Language"] == "en"
    assert "lang" in assert_json_error(client.get("/api/v1/partners/", {"lang": "xx"}), 400)


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"alliance": "aalborg"}, ["Bondegården", "Grønt Bryggeri A/S"]),
        ({"alliance": "aarhus"}, ["Beta ApS"]),
        ({"q": "BRYGG"}, ["Grønt Bryggeri A/S"]),
        ({"industry": "A"}, ["Bondegården"]),
        ({"focus": "production"}, ["Grønt Bryggeri A/S"]),
        ({"form": "project"}, ["Bondegården"]),
        ({"industry": "Q"}, []),
        ({"sort": "-signed"}, ["Beta ApS", "Grønt Bryggeri A/S", "Bondegården"]),
        ({"sort": "-name"}, ["Grønt Bryggeri A/S", "Bondegården", "Beta ApS"]),
        ({"q": "' OR 1=1 --"}, []),
        ({"q": "<script>alert(1)</script>"}, []),
        ({"q": "%_%"}, []),
        ({"q": "x" * 100}, []),
        ({"limit": "abc"}, ["Beta ApS", "Bondegården", "Grønt Bryggeri A/S"]),
        ({"limit": "-5", "offset": "xyz"}, ["Beta ApS", "Bondegården", "Grønt Bryggeri A/S"]),
        ({"limit": str(10**12)}, ["Beta ApS", "Bondegården", "Grønt Bryggeri A/S"]),
        ({"limit": "1", "offset": "1"}, ["Bondegården"]),
        ({"offset": str(10**9)}, []),
        ({"offset": str(10**30)}, []),
        ({"unknown": "ignored"}, ["Beta ApS", "Bondegården", "Grønt Bryggeri A/S"]),
    ],
)
def test_partner_filters(client, data, params, expected):
    response = client.get("/api/v1/partners/", params)
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "application/json"
    assert names(response) == expected
    assert b"<script>" not in response.content


def test_offset_past_the_end_keeps_the_count(client, data):
    body = client.get("/api/v1/partners/", {"offset": 10**9}).json()
    assert body["count"] == 3 and body["results"] == [] and body["next"] is None


@pytest.mark.parametrize(
    ("params", "field", "mentions"),
    [
        ({"industry": "Z"}, "industry", ["A", "C", "U"]),
        ({"industry": "<script>"}, "industry", ["A"]),
        ({"focus": "no-such-area"}, "focus", ["energy", "competences"]),
        ({"form": "handshake"}, "form", ["joint", "skills"]),
        ({"sort": "random()"}, "sort", ["-signed"]),
        ({"q": "x" * 101}, "q", ["100"]),
        ({"q": "nul\x00byte"}, "q", []),
    ],
)
def test_bad_filter_values_are_json_400(client, data, params, field, mentions):
    body = assert_json_error(client.get("/api/v1/partners/", params), 400)
    assert list(body) == [field]
    message = " ".join(body[field])
    for value in mentions:
        assert value in message
    assert "<script>" not in message


def test_unknown_alliance_filter_is_a_json_404(client, data):
    body = assert_json_error(client.get("/api/v1/partners/", {"alliance": "atlantis"}), 404)
    assert "slug" in body["detail"]
    assert_json_error(client.get("/api/v1/partners/", {"alliance": "' OR 1=1 --"}), 404)


def test_partner_detail(client, data):
    response = client.get(f"/api/v1/partners/{data['gront'].cvr}/")
    assert response.status_code == 200
    assert response.json()["name"] == "Grønt Bryggeri A/S"
    for key in ("draft", "ended", "expired"):
        assert_json_error(client.get(f"/api/v1/partners/{data[key].cvr}/"), 404)
    for cvr in ("12345678", "abc", "1" * 500, "١٢٣٤٥٦٧٨"):
        assert_json_error(client.get(f"/api/v1/partners/{cvr}/"), 404)


def test_partner_list_queries_do_not_grow_with_partners(client, alliance):
    def add_partners(count):
        for _ in range(count):
            _company, agreement = partner(
                alliance,
                "Firma",
                focus=("energy", "waste"),
                signed=datetime.datetime(2025, 1, 1, tzinfo=UTC),
            )
            PledgeFactory(agreement=agreement)
            PledgeFactory(agreement=agreement, is_public=False)

    add_partners(3)
    with CaptureQueriesContext(connection) as few:
        assert client.get("/api/v1/partners/").json()["count"] == 3
    add_partners(27)
    with CaptureQueriesContext(connection) as many:
        body = client.get("/api/v1/partners/", {"alliance": "aalborg"}).json()
    assert body["count"] == 30
    assert all(len(row["alliances"][0]["pledges"]) == 1 for row in body["results"])
    # count, page, agreements, focus areas, pledges, countersignatures (+ the alliance)
    assert len(few) <= 6 and len(many) <= len(few) + 1


# --- Pledges ------------------------------------------------------------------------------


def test_pledge_list_has_only_public_pledges_of_active_agreements(client, data):
    body = client.get("/api/v1/pledges/").json()
    titles = [row["title"] for row in body["results"]]
    assert sorted(titles) == ["Elektrisk traktor", "Grønne byggepladser", "Halvér udledningen"]
    row = next(r for r in body["results"] if r["title"] == "Halvér udledningen")
    assert row["cvr"] == data["gront"].cvr
    assert row["company"] == "Grønt Bryggeri A/S"
    assert row["alliance"] == "aalborg"
    milestone = next(r for r in body["results"] if r["title"] == "Elektrisk traktor")
    assert milestone["is_milestone"] is True and milestone["reduction_percent"] is None


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"alliance": "aarhus"}, ["Grønne byggepladser"]),
        ({"focus": "agriculture"}, ["Elektrisk traktor"]),
        ({"alliance": "aalborg", "focus": "buildings"}, []),
    ],
)
def test_pledge_filters(client, data, params, expected):
    body = client.get("/api/v1/pledges/", params).json()
    assert [row["title"] for row in body["results"]] == expected


def test_pledge_filter_by_company_and_bad_values(client, data):
    body = client.get("/api/v1/pledges/", {"cvr": data["beta"].cvr}).json()
    assert [row["title"] for row in body["results"]] == ["Grønne byggepladser"]
    assert "cvr" in assert_json_error(client.get("/api/v1/pledges/", {"cvr": "x1"}), 400)
    assert "focus" in assert_json_error(client.get("/api/v1/pledges/", {"focus": "sun"}), 400)
    assert_json_error(client.get("/api/v1/pledges/", {"alliance": "atlantis"}), 404)


# --- Yearly totals ------------------------------------------------------------------------


def test_yearly_totals(client, data):
    response = client.get("/api/v1/totals/", {"alliance": "aalborg"})
    assert response.status_code == 200
    rows = {row["year"]: row for row in response.json()}
    this_year = timezone.localdate().year
    assert min(rows) == 2024 and max(rows) == this_year
    # 2024: Bondegården and Opsagt ApS joined; both in force at the end of 2024.
    assert rows[2024] == {
        "alliance": "aalborg",
        "year": 2024,
        "partners_joined": 2,
        "active_partners": 2,
        "reporting_partners": 0,
        "emissions_t": None,
    }
    # 2025: Grønt Bryggeri joined; Opsagt ApS was terminated in June. The expired agreement
    # without a countersignature counts from its start date (1 January 2025).
    assert rows[2025]["partners_joined"] == 2
    assert rows[2025]["active_partners"] == 3
    assert rows[this_year]["active_partners"] == 2  # the active agreements, as listed
    assert_json_error(client.get("/api/v1/totals/", {"alliance": "atlantis"}), 404)
    every = client.get("/api/v1/totals/").json()
    assert {row["alliance"] for row in every} == {"aalborg", "aarhus"}


def test_yearly_totals_for_an_alliance_without_partners_is_this_year_only(db):
    lonely = AllianceFactory()
    today = datetime.date(2026, 5, 1)
    assert yearly_totals([lonely], today=today) == [
        {
            "alliance": lonely.slug,
            "year": 2026,
            "partners_joined": 0,
            "active_partners": 0,
            "reporting_partners": 0,
            "emissions_t": None,
        }
    ]


# --- CSV ----------------------------------------------------------------------------------


def read_csv(response):
    raw = response.content
    assert raw.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))


def test_partner_csv(client, data):
    response = client.get("/api/v1/alliances/aalborg/partners.csv")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="partnere-aalborg.csv"'
    rows = read_csv(response)
    assert rows[0] == [
        "cvr",
        "navn",
        "branchekode",
        "branche",
        "by",
        "hjemmeside",
        "underskrevet",
        "fokusområder",
    ]
    with translation.override("da"):
        manufacturing = str(Industry.C.label)
    by_name = {row[1]: row for row in rows[1:]}
    assert set(by_name) == {"Grønt Bryggeri A/S", "Bondegården"}
    assert by_name["Grønt Bryggeri A/S"] == [
        data["gront"].cvr,
        "Grønt Bryggeri A/S",
        "C",
        manufacturing,
        "Aalborg",
        "https://gront.example",
        "2025-03-01",
        by_name["Grønt Bryggeri A/S"][7],
    ]
    assert by_name["Grønt Bryggeri A/S"][7].count(",") == 1  # two focus areas


def test_partner_csv_guards_against_formula_injection(client, alliance):
    for name in ('=HYPERLINK("http://evil.example")', "+1+1", "-2+3", "@SUM(A1)"):
        partner(alliance, name, city="=cmd|' /C calc'!A0")
    rows = read_csv(client.get("/api/v1/alliances/aalborg/partners.csv"))
    for row in rows[1:]:
        assert row[1].startswith("'") and row[4].startswith("'")
    assert csv_safe("Aalborg") == "Aalborg" and csv_safe(None) == ""
    assert csv_safe("\t=1") == "'\t=1"


def test_partner_csv_unknown_alliance_and_bad_language_are_json(client, data):
    assert_json_error(client.get("/api/v1/alliances/atlantis/partners.csv"), 404)
    assert_json_error(client.get("/api/v1/alliances/aalborg/partners.csv", {"lang": "x"}), 400)


# --- HTTP behaviour -----------------------------------------------------------------------

ENDPOINTS = [
    "/api/v1/",
    "/api/v1/alliances/",
    "/api/v1/alliances/aalborg/",
    "/api/v1/alliances/aalborg/partners.csv",
    "/api/v1/partners/",
    "/api/v1/pledges/",
    "/api/v1/totals/",
    "/api/v1/schema/",
    "/api/v1/docs/",
    "/api/v1/redoc/",
]


@pytest.mark.parametrize("url", ENDPOINTS)
@pytest.mark.parametrize("accept", ["application/json", "text/html", "*/*"])
def test_cors_and_no_cookies(client, data, url, accept):
    response = client.get(url, HTTP_ORIGIN="https://data.example", HTTP_ACCEPT=accept)
    # The documentation pages are HTML only and the schema is JSON or YAML only.
    refused = (url.endswith(("/docs/", "/redoc/")) and accept == "application/json") or (
        url.endswith("/schema/") and accept == "text/html"
    )
    assert response.status_code == (406 if refused else 200), response.content[:500]
    assert response["Access-Control-Allow-Origin"] == "*"
    assert "Set-Cookie" not in response.headers
    assert not response.cookies


def test_cors_preflight_allows_get_only(client, data):
    response = client.options(
        "/api/v1/partners/",
        HTTP_ORIGIN="https://data.example",
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET",
    )
    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == "*"
    assert "POST" not in response["Access-Control-Allow-Methods"]
    assert "Access-Control-Allow-Credentials" not in response.headers


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/alliances/",
        "/api/v1/alliances/aalborg/",
        "/api/v1/partners/",
        "/api/v1/pledges/",
        "/api/v1/totals/",
    ],
)
def test_writes_are_405_json(client, data, method, url):
    response = getattr(client, method)(url, data="{}", content_type="application/json")
    assert_json_error(response, 405)
    assert "Set-Cookie" not in response.headers


def test_unknown_addresses_are_json_404(client, data):
    for url in (
        "/api/v1/nothing/",
        "/api/v1/partners/1/2/",
        "/api/v1/alliances/a b/",
        "/api/v1/alliances/a%0Ab/",
        "/api/v1/alliances/%0A/partners.csv",
    ):
        assert assert_json_error(client.get(url), 404) == {"detail": "Not found."}
    response = client.get("/api/v1/alliances?lang=da")
    assert response.status_code == 301
    assert response["Location"] == "/api/v1/alliances/?lang=da"


def test_schema_documents_endpoints_and_errors(client, data):
    response = client.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    schema = response.json()
    paths = schema["paths"]
    for path in (
        "/api/v1/alliances/",
        "/api/v1/alliances/{slug}/",
        "/api/v1/alliances/{slug}/partners.csv",
        "/api/v1/partners/",
        "/api/v1/partners/{cvr}/",
        "/api/v1/pledges/",
        "/api/v1/totals/",
    ):
        assert set(paths[path]) == {"get"}, path
    partners = paths["/api/v1/partners/"]["get"]
    params = {p["name"]: p for p in partners["parameters"]}
    assert {"alliance", "q", "industry", "focus", "form", "sort", "lang", "limit", "offset"} <= set(
        params
    )
    assert params["industry"]["schema"]["enum"] == list(Industry.values)
    assert {"200", "400", "404"} <= set(partners["responses"])
    assert "emission" in paths["/api/v1/totals/"]["get"]["description"].lower()


@pytest.mark.parametrize("url", ["/api/v1/docs/", "/api/v1/redoc/"])
def test_docs_load_assets_locally(client, url):
    response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert "/static/drf_spectacular_sidecar/" in html
    tags = re.findall(r"<(?:script|link)\b[^>]*>", html)
    assert tags
    for tag in tags:
        for address in re.findall(r"""(?:src|href)=["']([^"']+)""", tag):
            assert not re.match(r"(?:https?:)?//", address) or address.startswith(
                "http://testserver/"
            ), address
    assert not re.search(r"https?://(?!testserver)[^\s\"']*\.js", html)


def test_yearly_totals_sum_only_approved_and_published_figures(client, data):
    from emissions.models import Inventory, Report, ReportingRound

    reporting_round = ReportingRound.objects.create(
        alliance=data["gront"].memberships.get().alliance, year=2025, status="closed"
    )
    for company, tonnes, publishes, status in [
        (data["gront"], "120.5", True, Report.Status.APPROVED),
        (data["farm"], "3000", True, Report.Status.APPROVED),
        (data["ended"], "77", False, Report.Status.APPROVED),  # keeps its figures private
        (data["expired"], "55", True, Report.Status.SUBMITTED),  # not approved yet
    ]:
        type(company).objects.filter(pk=company.pk).update(publishes_figures=publishes)
        Inventory.objects.create(company=company, year=2025, total_location_t=tonnes)
        Inventory.objects.create(company=company, year=2024, total_location_t=999)
        Report.objects.create(round=reporting_round, company=company, status=status)

    rows = {row["year"]: row for row in client.get("/api/v1/totals/?alliance=aalborg").json()}

    assert rows[2025]["reporting_partners"] == 2
    assert rows[2025]["emissions_t"] == "3120.500"
    assert rows[2024]["emissions_t"] is None  # no approved report for 2024


# --- Filters through django-filter ----------------------------------------------------------


def test_an_unknown_industry_is_a_400_naming_the_field_and_the_allowed_values(client, data):
    body = assert_json_error(client.get("/api/v1/partners/?industry=ZZ"), 400)
    assert list(body) == ["industry"]
    assert body["industry"] == [f"Unknown industry. Allowed values: {', '.join(Industry.values)}."]


def test_every_bad_filter_value_is_reported_at_once(client, data):
    body = assert_json_error(
        client.get("/api/v1/partners/", {"industry": "ZZ", "sort": "x", "q": "y" * 101}), 400
    )
    assert sorted(body) == ["industry", "q", "sort"]
    assert body["q"] == ["Search at most 100 characters."]


def test_focus_area_and_form_must_hold_for_the_same_agreement(client, data, other_alliance):
    # Grønt Bryggeri also has a project agreement (energy is not among its areas) in Aarhus.
    AgreementFactory(
        alliance=other_alliance,
        company=data["gront"],
        focus_areas=["waste"],
        partnership_form="project",
    )
    both = {"focus": "energy", "form": "project"}
    assert names(client.get("/api/v1/partners/", both)) == []
    assert names(client.get("/api/v1/partners/", {**both, "form": "joint"})) == [
        "Grønt Bryggeri A/S"
    ]
    assert names(client.get("/api/v1/partners/", {"focus": "waste", "alliance": "aalborg"})) == []


def test_schema_documents_the_pledge_filters(client, data):
    schema = client.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    params = {p["name"]: p for p in schema["paths"]["/api/v1/pledges/"]["get"]["parameters"]}
    assert {"alliance", "focus", "cvr", "lang", "limit", "offset"} <= set(params)
    assert set(params["focus"]["schema"]["enum"]) == set(FocusArea.values)
    assert "8 digits" in params["cvr"]["description"]
