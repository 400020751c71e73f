"""Open data, complete (issue 17, points 2 and 3): working groups, commitment papers,
inspiration cases, the seven partnership forms and networks in the API; pledge progress;
licence on every response and file; conditional GET; the DCAT-AP catalogue."""

import datetime
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from rdflib import Graph, Namespace
from rdflib.namespace import DCAT, DCTERMS, RDF

from network.models import (
    AllianceNetwork,
    ChairTerm,
    CommitmentPaper,
    GroupMember,
    InspirationCase,
    NetworkEvent,
    NetworkMember,
    WorkingGroup,
)
from tests.emissions.test_documents import approved_report
from tests.factories import AgreementFactory, PledgeFactory

pytestmark = pytest.mark.django_db

LICENCE = "https://creativecommons.org/licenses/by/4.0/"


@pytest.fixture
def network_data(alliance, company_a, company_b):
    group = WorkingGroup.objects.create(
        alliance=alliance, name="Grøn mobilitet", theme="mobility", status="active"
    )
    ChairTerm.objects.create(group=group, company=company_a, started_on=datetime.date(2025, 1, 1))
    GroupMember.objects.create(group=group, company=company_a, joined_on=datetime.date(2025, 1, 1))
    CommitmentPaper.objects.create(group=group, title="Nulemission 2030", text="Vi …")
    CommitmentPaper.objects.create(
        group=group, title="Pendling", text="Vi cykler.", status=CommitmentPaper.Status.OPEN
    )
    InspirationCase.objects.create(
        alliance=alliance,
        title="Vejle Nord",
        municipality="Vejle",
        partnership_form="resources",
        focus_area="energy",
        what_was_done="Strategisk energiplan.",
    )
    network = AllianceNetwork.objects.create(name="DK2020-klimaalliancen", slug="dk2020")
    NetworkMember.objects.create(network=network, municipality="Aalborg", alliance=alliance)
    NetworkMember.objects.create(network=network, municipality="Samsø")
    NetworkEvent.objects.create(
        network=network, title="Årligt topmøde", date=datetime.date(2026, 9, 1)
    )
    return group


def test_groups_papers_cases_forms_and_networks(client, network_data, company_a):
    [group] = client.get("/api/v1/groups/?alliance=aalborg").json()["results"]
    assert (group["name"], group["chair"], group["members"]) == (
        "Grøn mobilitet",
        "Alfa A/S",
        ["Alfa A/S"],
    )
    papers = client.get("/api/v1/papers/").json()["results"]
    assert [p["title"] for p in papers] == ["Pendling"]  # the draft is not public
    assert papers[0]["signature_count"] == 0
    [case] = client.get("/api/v1/cases/?form=resources").json()["results"]
    assert case["title"] == "Vejle Nord"
    assert client.get("/api/v1/cases/?form=nope").status_code == 400
    forms = client.get("/api/v1/partnership-forms/?lang=da").json()
    assert len(forms) == 7 and forms[0]["number"] == 1
    [network] = client.get("/api/v1/networks/").json()["results"]
    assert [m["alliance"] for m in network["members"]] == ["aalborg", None]
    assert network["events"][0]["title"] == "Årligt topmøde"
    assert client.get("/api/v1/groups/?alliance=nowhere").status_code == 404


def test_pledges_carry_their_progress_when_the_company_publishes(client, alliance, company_a):
    agreement = AgreementFactory(alliance=alliance, company=company_a)
    pledge = PledgeFactory(agreement=agreement)
    approved_report(alliance, company_a, 2024, values=[(pledge, "700")])
    [row] = client.get("/api/v1/pledges/").json()["results"]
    assert row["progress"]["state"] == "not_published"
    company_a.publishes_figures = True
    company_a.save()
    [row] = client.get("/api/v1/pledges/").json()["results"]
    assert row["progress"] == {
        "state": "on_track",
        "year": 2024,
        "value": 700.0,
        "expected": 833.33,
        "milestone": "",
    }


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/alliances/",
        "/api/v1/progress/",
        "/api/v1/progress.csv",
        "/api/v1/groups/",
        "/api/v1/alliances/aalborg/partners.csv",
        "/api/v1/catalog.jsonld",
        "/api/v1/schema/",
        "/api/v1/no-such-thing/",
    ],
)
def test_every_response_states_the_licence_and_sets_no_cookie(client, alliance, url):
    response = client.get(url)
    assert LICENCE in response["Link"] and 'rel="license"' in response["Link"]
    assert "Attribution" in response["Link"]
    assert not response.cookies


def test_conditional_get_answers_304(client, alliance):
    first = client.get("/api/v1/progress/")
    etag = first["ETag"]
    again = client.get("/api/v1/progress/", HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304 and again.content == b""


def test_pagination_is_stable(client, network_data, alliance):
    for n in range(3):
        InspirationCase.objects.create(
            alliance=alliance,
            title=f"Case {n}",
            municipality="Aalborg",
            partnership_form="joint",
            focus_area="energy",
            what_was_done="…",
        )
    everything = [c["id"] for c in client.get("/api/v1/cases/").json()["results"]]
    paged = []
    for offset in range(0, 4, 2):
        page = client.get(f"/api/v1/cases/?limit=2&offset={offset}").json()
        paged += [c["id"] for c in page["results"]]
    assert paged == everything and len(everything) == 4


DCT = DCTERMS
FOAF = Namespace("http://xmlns.com/foaf/0.1/")


def test_the_catalogue_parses_and_every_distribution_answers(
    client, alliance, other_alliance, network_data
):
    response = client.get("/api/v1/catalog.jsonld")
    assert response["Content-Type"].startswith("application/ld+json")
    graph = Graph().parse(data=response.content.decode(), format="json-ld")
    [catalog] = list(graph.subjects(RDF.type, DCAT.Catalog))
    datasets = list(graph.objects(catalog, DCAT.dataset))
    assert len(datasets) == 2 * 5 + 2  # five per alliance, two shared
    urls = set()
    for dataset in datasets:
        titles = {t.language for t in graph.objects(dataset, DCT.title)}
        descriptions = {d.language for d in graph.objects(dataset, DCT.description)}
        assert titles == descriptions == {"da", "en"}
        assert graph.value(dataset, DCT.license) is not None
        assert graph.value(dataset, DCT.accrualPeriodicity) is not None
        assert graph.value(dataset, DCT.temporal) is not None
        publisher = graph.value(dataset, DCT.publisher)
        assert graph.value(publisher, FOAF.name) is not None
        distributions = list(graph.objects(dataset, DCAT.distribution))
        assert distributions
        for distribution in distributions:
            urls.add(str(graph.value(distribution, DCAT.downloadURL)))
    assert "Aalborg Kommune" in {str(o) for o in graph.objects(None, FOAF.name)}
    for url in sorted(urls):
        parts = urlsplit(url)
        path = parts.path + ("?" + parts.query if parts.query else "")
        answer = client.get(path)
        assert answer.status_code == 200, url
    # The same graph as Turtle and RDF/XML.
    for fmt, syntax in (("ttl", "turtle"), ("rdf", "xml")):
        other = Graph().parse(data=client.get(f"/api/v1/catalog.{fmt}").content, format=syntax)
        assert len(other) == len(graph)


SHAPES = Path(__file__).with_name("dcat_ap_shapes.ttl")


def test_the_catalogue_conforms_to_the_dcat_ap_shapes(client, alliance, other_alliance):
    from pyshacl import validate

    data = client.get("/api/v1/catalog.ttl").content.decode()
    conforms, _graph, report = validate(
        data_graph=Graph().parse(data=data, format="turtle"),
        shacl_graph=Graph().parse(SHAPES, format="turtle"),
        allow_warnings=False,
    )
    assert conforms, report


def test_the_shapes_catch_a_dataset_without_a_distribution(client, alliance):
    """The shapes can fail: a catalogue missing a mandatory property does not conform."""
    from pyshacl import validate

    graph = Graph().parse(data=client.get("/api/v1/catalog.ttl").content, format="turtle")
    dataset = next(graph.subjects(RDF.type, DCAT.Dataset))
    graph.remove((dataset, DCAT.distribution, None))
    conforms, _graph, report = validate(
        data_graph=graph, shacl_graph=Graph().parse(SHAPES, format="turtle")
    )
    assert not conforms and "distribution" in report
