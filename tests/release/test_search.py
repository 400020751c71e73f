"""Search ignores case for æ, ø and å on every database, matches several words across name
and description, and a query of only spaces is no filter (issue 14)."""

import pytest
from django.db import connection

from klimaalliance.search import fold, search_key, search_words
from partnerships.filters import PartnerFilter
from tests.public.test_public_pages import partner

pytestmark = pytest.mark.django_db


def test_folding_is_done_in_python_for_every_database():
    assert fold("GRØN ÆBLE Å") == "grøn æble å"
    assert search_key("Grøn Øl ApS", "", "Brygger  øl") == "grøn øl aps brygger øl"
    assert search_words("   ") == []
    assert search_words("  ØL  grøn ") == ["øl", "grøn"]


@pytest.fixture
def partners(alliance):
    brewery, _ = partner(alliance, "Grøn Øl ApS", description="Økologisk bryggeri")
    bakery, _ = partner(alliance, "Bageriet Aps", description="Surdej og kager")
    return brewery, bakery


@pytest.mark.parametrize(
    ("query", "found"),
    [
        ("GRØN", ["Grøn Øl ApS"]),
        ("øl", ["Grøn Øl ApS"]),
        ("ØKOLOGISK", ["Grøn Øl ApS"]),
        ("grøn bryggeri", ["Grøn Øl ApS"]),  # one word in the name, one in the description
        ("grøn surdej", []),
        ("   ", ["Bageriet Aps", "Grøn Øl ApS"]),
    ],
)
def test_partner_search(alliance, partners, query, found):
    result = PartnerFilter({"q": query}, alliance=alliance).qs
    assert sorted(company.legal_name for company in result) == found


def test_the_empty_list_says_search_only_when_searched(client, alliance):
    page = client.get("/en/aalborg/partners/", {"q": "   "}).content.decode()
    assert "No partners match your search." not in page
    assert "The alliance has no partners yet." in page
    searched = client.get("/en/aalborg/partners/", {"q": "zzz"}).content.decode()
    assert "No partners match your search." in searched
    danish = client.get("/aalborg/partners/", {"q": " "}).content.decode()
    assert "Ingen partnere matcher" not in danish


def test_the_search_column_is_kept_on_save(alliance, partners):
    brewery, _bakery = partners
    brewery.display_name = "ÆBLEMOST"
    brewery.save(update_fields=["display_name"])
    assert PartnerFilter({"q": "æblemost"}, alliance=alliance).qs.get() == brewery
    assert connection.vendor in ("postgresql", "sqlite")


def test_the_member_list_search(client, staff_x, alliance, partners):
    client.force_login(staff_x)
    page = client.get("/en/aalborg/staff/companies/", {"q": "ØL GRØN"}).content.decode()
    assert "Grøn Øl ApS" in page and "Bageriet Aps" not in page
    page = client.get("/en/aalborg/staff/companies/", {"q": "  "}).content.decode()
    assert "Grøn Øl ApS" in page and "Bageriet Aps" in page
