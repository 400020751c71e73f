"""The inspiration catalogue (staff publish, everyone reads) and networks of municipalities."""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from klimaalliance.models import Alliance
from network.models import AllianceNetwork, InspirationCase, NetworkEvent, NetworkMember
from network.seed import DK2020_MUNICIPALITIES, seed_network_demo

pytestmark = pytest.mark.django_db


def make_case(alliance, **fields):
    values = {
        "title": "Fælles solceller på erhvervshavnen",
        "municipality": alliance.municipality,
        "partnership_form": "joint",
        "focus_area": "energy",
        "what_was_done": "Kommunen og virksomhederne har sat solceller op.",
        "results": "120 t CO2e sparet om året.",
        **fields,
    }
    return InspirationCase.objects.create(alliance=alliance, **values)


def case_data(**overrides):
    return {
        "title": "Grøn varmeplan med industrien",
        "municipality": "Aarhus Kommune",
        "partnership_form": "resources",
        "focus_area": "energy",
        "companies_involved": "Beta ApS",
        "what_was_done": "Overskudsvarme fra industrien leveres til fjernvarmen.",
        "results": "3.000 MWh om året.",
        "contact": "Klimasekretariatet",
        "source": "",
        "is_published": "on",
        **overrides,
    }


def staff_url(name, alliance, *args):
    return reverse(f"groups:{name}", args=[alliance.slug, *args])


# --- Staff ------------------------------------------------------------------------------


def test_staff_creates_and_edits_a_case(client, other_alliance, staff_y):
    client.force_login(staff_y)
    response = client.get(staff_url("case-create", other_alliance))
    assert response.status_code == 200
    assert re.search(r'<label\s+for="id_title"', response.content.decode())

    response = client.post(staff_url("case-create", other_alliance), case_data())
    assert response.status_code == 302
    case = InspirationCase.objects.get()
    assert case.alliance == other_alliance
    assert case.created_by == staff_y
    assert case.is_published

    listing = client.get(staff_url("case-list", other_alliance))
    assert "Grøn varmeplan med industrien" in listing.content.decode()
    assert staff_url("case-edit", other_alliance, case.pk) in listing.content.decode()

    response = client.post(
        staff_url("case-edit", other_alliance, case.pk),
        case_data(title="Grøn varmeplan", is_published=""),
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.title == "Grøn varmeplan"
    assert not case.is_published
    assert case.alliance == other_alliance
    assert case.created_by == staff_y


def test_invalid_case_is_not_saved(client, other_alliance, staff_y):
    client.force_login(staff_y)
    response = client.post(
        staff_url("case-create", other_alliance), case_data(partnership_form="bogus")
    )
    assert response.status_code == 200
    assert not InspirationCase.objects.exists()


def test_anonymous_is_sent_to_login(client, alliance):
    response = client.get(staff_url("case-list", alliance))
    assert response.status_code == 302
    assert "/login/" in response["Location"]


def test_staff_of_another_alliance_cannot_reach_its_cases(client, alliance, staff_x, staff_y):
    case = make_case(alliance)
    client.force_login(staff_y)
    assert client.get(staff_url("case-list", alliance)).status_code == 403
    assert client.get(staff_url("case-create", alliance)).status_code == 403
    assert client.get(staff_url("case-edit", alliance, case.pk)).status_code == 403
    # Through their own alliance's address the case is not found at all.
    other = staff_y.staff_roles.get().alliance
    assert client.get(staff_url("case-edit", other, case.pk)).status_code == 404
    response = client.post(staff_url("case-edit", other, case.pk), case_data(title="Kapret"))
    assert response.status_code == 404
    case.refresh_from_db()
    assert case.title == "Fælles solceller på erhvervshavnen"


# --- Public catalogue -------------------------------------------------------------------


def test_public_list_shows_cases_of_every_alliance(client, alliance, other_alliance):
    make_case(alliance, title="Aalborg-casen")
    make_case(other_alliance, title="Aarhus-casen")
    response = client.get(reverse("case-list"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Aalborg-casen" in html
    assert "Aarhus-casen" in html
    assert not response.cookies
    assert "Set-Cookie" not in response.headers


def test_public_list_filters(client, alliance, other_alliance):
    make_case(alliance, title="Energi-casen", partnership_form="joint", focus_area="energy")
    make_case(
        other_alliance,
        title="Affald-casen",
        partnership_form="resources",
        focus_area="waste",
        what_was_done="Genanvendelse af pap fra butikkerne.",
    )
    url = reverse("case-list")

    html = client.get(url, {"form": "resources"}).content.decode()
    assert "Affald-casen" in html
    assert "Energi-casen" not in html

    html = client.get(url, {"focus": "energy"}).content.decode()
    assert "Energi-casen" in html
    assert "Affald-casen" not in html

    html = client.get(url, {"q": "pap fra butikkerne"}).content.decode()
    assert "Affald-casen" in html
    assert "Energi-casen" not in html

    html = client.get(url, {"q": "aalborg"}).content.decode()  # the municipality
    assert "Energi-casen" in html
    assert "Affald-casen" not in html


def test_public_list_survives_nonsense(client, alliance):
    make_case(alliance, title="Robust-casen")
    response = client.get(
        reverse("case-list"),
        {"form": "nonsense", "focus": "<script>", "q": "x" * 500, "page": "abc", "foo": "bar"},
    )
    assert response.status_code == 200
    assert "Robust-casen" in response.content.decode()
    assert client.get(reverse("case-list"), {"page": "999"}).status_code == 200


def test_pagination_keeps_the_filters(client, alliance):
    for number in range(25):
        make_case(alliance, title=f"Case {number}", focus_area="energy")
    response = client.get(reverse("case-list"), {"focus": "energy"})
    html = response.content.decode()
    assert html.count("<article") == 20
    assert "?focus=energy&amp;page=2" in html
    response = client.get(reverse("case-list"), {"focus": "energy", "page": "2"})
    assert response.content.decode().count("<article") == 5


def test_unpublished_case_is_hidden(client, alliance):
    hidden = make_case(alliance, title="Hemmelig-casen", is_published=False)
    shown = make_case(alliance, title="Offentlig-casen")
    html = client.get(reverse("case-list")).content.decode()
    assert "Hemmelig-casen" not in html
    assert client.get(reverse("case-detail", args=[hidden.pk])).status_code == 404
    response = client.get(reverse("case-detail", args=[shown.pk]))
    assert response.status_code == 200
    assert "120 t CO2e sparet om året." in response.content.decode()
    assert not response.cookies


def test_case_list_queries_are_constant(client, alliance, django_capture_on_commit_callbacks):
    other = Alliance.objects.create(
        slug="odense",
        name="Klimaalliancen Odense",
        municipality="Odense Kommune",
        municipality_code="0461",
    )
    for number in range(3):
        make_case(alliance, title=f"Case {number}")

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("case-list")).status_code == 200
        return len(queries)

    few = count()
    with django_capture_on_commit_callbacks(execute=True):  # the version is bumped on commit
        for number in range(17):
            make_case(other if number % 2 else alliance, title=f"Flere {number}")
    assert count() == few


# --- Seed and networks ------------------------------------------------------------------


def test_seed_is_idempotent(other_alliance):
    seed_network_demo()
    seed_network_demo()
    assert InspirationCase.objects.count() == 5
    assert set(InspirationCase.objects.values_list("alliance__slug", flat=True)) == {"aarhus"}
    assert (
        InspirationCase.objects.filter(is_published=True, source="KL, Inspirationskatalog").count()
        == 5
    )
    network = AllianceNetwork.objects.get(slug="dk2020")
    assert network.members.count() == 16
    assert NetworkMember.objects.count() == 16
    # The sources give the annual summit no date: one event with a labelled demo date.
    assert list(network.events.values_list("title", flat=True)) == [
        "Årligt topmøde i DK2020-klimaalliancen (demodato)"
    ]
    vejle = InspirationCase.objects.get(title="Klimapartnerskab Vejle Nord")
    assert (vejle.partnership_form, vejle.focus_area) == ("joint", "energy")


def test_seed_uses_the_first_alliance_without_aarhus(alliance):
    seed_network_demo()
    assert set(InspirationCase.objects.values_list("alliance", flat=True)) == {alliance.pk}


def test_network_page_lists_members_and_the_demo_summit(client, alliance):
    seed_network_demo()
    response = client.get(reverse("network-detail", args=["dk2020"]))
    assert response.status_code == 200
    html = response.content.decode()
    for municipality in DK2020_MUNICIPALITIES:
        assert municipality in html
    assert "årligt topmøde" in html  # the joint declaration
    assert "Årligt topmøde i DK2020-klimaalliancen (demodato)" in html
    assert not response.cookies

    listing = client.get(reverse("network-list"))
    assert "DK2020-klimaalliancen" in listing.content.decode()
    assert reverse("network-detail", args=["dk2020"]) in listing.content.decode()


def test_network_member_links_to_its_alliance(client):
    vejle = Alliance.objects.create(
        slug="vejle",
        name="Klimaalliancen Vejle",
        municipality="Vejle Kommune",
        municipality_code="0630",
    )
    seed_network_demo()
    assert NetworkMember.objects.get(municipality="Vejle").alliance == vejle
    html = client.get(reverse("network-detail", args=["dk2020"])).content.decode()
    assert f'href="{reverse("alliance-detail", args=["vejle"])}"' in html


def test_added_event_appears(client, alliance, django_capture_on_commit_callbacks):
    seed_network_demo()
    network = AllianceNetwork.objects.get(slug="dk2020")
    url = reverse("network-detail", args=["dk2020"])
    with django_capture_on_commit_callbacks(execute=True):
        network.events.all().delete()  # the seeded summit with its demo date
    assert "Der er endnu ingen arrangementer." in client.get(url).content.decode()
    with django_capture_on_commit_callbacks(execute=True):  # the version is bumped on commit
        NetworkEvent.objects.create(
            network=network,
            title="Årligt klimatopmøde",
            date=timezone.localdate() + datetime.timedelta(days=30),
            place="Testby Rådhus",
            programme="Oplæg og erfaringsudveksling",
        )
        NetworkEvent.objects.create(
            network=network, title="Sidste års topmøde", date=datetime.date(2020, 5, 1)
        )
    html = client.get(url).content.decode()
    assert "Der er endnu ingen arrangementer." not in html
    assert "Årligt klimatopmøde" in html
    assert "Testby Rådhus" in html
    assert "Sidste års topmøde" in html
    assert html.index("Årligt klimatopmøde") < html.index("Sidste års topmøde")


def test_unknown_network_is_404(client, db):
    assert client.get(reverse("network-detail", args=["nowhere"])).status_code == 404
