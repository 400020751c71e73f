"""The partner list's pages: the rows built from values say exactly what the documented
serializer says, and a walk along the cursor links neither skips nor repeats a partner."""

import datetime

import pytest
from django.test import RequestFactory
from django.utils import translation

from api.serializers import PartnerSerializer
from api.views import with_countersignatures
from partnerships.models import Signature
from partnerships.selectors import public_partners, with_public_agreements
from tests.factories import (
    AgreementFactory,
    CompanyFactory,
    MembershipFactory,
    PledgeFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def add_partner(alliance, name, **fields):
    company = CompanyFactory(legal_name=name, **fields)
    MembershipFactory(alliance=alliance, company=company)
    agreement = AgreementFactory(
        alliance=alliance, company=company, focus_areas=["waste", "energy"], status="active"
    )
    return company, agreement


def test_rows_are_what_the_schema_documents(client, alliance, other_alliance):
    company, agreement = add_partner(
        alliance, "Grønt Bryggeri A/S", display_name="Grønt", description_en="Beer"
    )
    company.logo = "companies/logos/gront.png"
    company.save()
    PledgeFactory(agreement=agreement, title="Halvér", baseline_value=800, target_value=400)
    PledgeFactory(agreement=agreement, title="Milepæl", is_milestone=True, target_value=None)
    PledgeFactory(agreement=agreement, title="Hemmeligt", is_public=False)
    Signature.objects.create(
        agreement=agreement,
        party=Signature.Party.MUNICIPALITY,
        user=UserFactory(),
        typed_name="Borgmester",
        signed_at=datetime.datetime(2025, 3, 1, 10, 0, tzinfo=datetime.UTC),
        content_sha256="0" * 64,
    )
    AgreementFactory(alliance=other_alliance, company=company, status="active")
    add_partner(alliance, "Bondegården", industry="A")

    body = client.get("/api/v1/partners/").json()
    request = RequestFactory().get("/api/v1/partners/")
    companies = with_countersignatures(with_public_agreements(public_partners()))
    with translation.override("en"):  # the API's language unless ?lang=da
        documented = PartnerSerializer(companies, many=True, context={"request": request}).data
    assert body["results"] == [dict(row) for row in _plain(documented)]
    assert body["results"][1]["logo"] == "http://testserver/media/companies/logos/gront.png"
    detail = client.get(f"/api/v1/partners/{company.cvr}/").json()
    assert detail == body["results"][1]


def _plain(data):
    """The serializer's data as the JSON renderer writes it (decimals become numbers)."""
    import json

    from rest_framework.utils.encoders import JSONEncoder

    return json.loads(json.dumps(data, cls=JSONEncoder))


def names(body):
    return [row["legal_name"] for row in body["results"]]


@pytest.mark.parametrize(
    ("sort", "joins_before", "joins_after"),
    [("name", "Aaa Først", "Firma 9"), ("-name", "Zzz Sidst", "Firma 1a")],
)
def test_walking_the_next_links_skips_and_repeats_no_partner(
    client, alliance, sort, joins_before, joins_after
):
    for n in range(7):
        add_partner(alliance, f"Firma {n}")
    add_partner(alliance, "Firma 3")  # a tie: the id decides

    url = f"/api/v1/partners/?alliance=aalborg&limit=3&sort={sort}"
    page = client.get(url).json()
    assert page["previous"] is None and "cursor=" in page["next"]
    seen = names(page)
    # Partners join mid-walk, one before the walk's position and one after it: with
    # offsets the first would shift a partner already seen onto the next page.
    add_partner(alliance, joins_before)
    add_partner(alliance, joins_after)
    while page["next"]:
        page = client.get(page["next"]).json()
        seen += names(page)
    expected = sorted([*(f"Firma {n}" for n in range(7)), "Firma 3", joins_after])
    assert seen == (expected[::-1] if sort == "-name" else expected)

    last, back = page, []
    while page["previous"]:
        page = client.get(page["previous"]).json()
        back = names(page) + back
    everything = client.get(url.replace("limit=3", "limit=100")).json()
    assert back + names(last) == names(everything)


def test_offset_pages_link_to_cursor_pages(client, alliance):
    for n in range(5):
        add_partner(alliance, f"Firma {n}")
    page = client.get("/api/v1/partners/", {"limit": 2, "offset": 2}).json()
    assert names(page) == ["Firma 2", "Firma 3"]
    assert names(client.get(page["next"]).json()) == ["Firma 4"]
    assert names(client.get(page["previous"]).json()) == ["Firma 0", "Firma 1"]
    assert "offset" not in page["next"] and "limit=2" in page["next"]
    # Sorted by signing date there is no cursor: the links stay offsets.
    signed = client.get("/api/v1/partners/", {"limit": 2, "sort": "-signed"}).json()
    assert "offset=2" in signed["next"] and "cursor" not in signed["next"]


@pytest.mark.parametrize(
    "params",
    [
        {"cursor": "not base64!"},
        {"cursor": "WzAsMSwyXQ"},  # [0,1,2]: the key is not a name
        {"cursor": "WzAsImEiLDBd"},  # [0,"a",0]: no such id
        {"cursor": "WzAsImYiLDFd", "sort": "-signed"},  # no cursor for this sort
    ],
)
def test_a_bad_cursor_is_a_json_400(client, alliance, params):
    add_partner(alliance, "Firma")
    response = client.get("/api/v1/partners/", params)
    assert response.status_code == 400
    assert list(response.json()) == ["cursor"]


def test_schema_documents_the_cursor(client):
    schema = client.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    params = {p["name"] for p in schema["paths"]["/api/v1/partners/"]["get"]["parameters"]}
    assert {"limit", "offset", "cursor"} <= params
