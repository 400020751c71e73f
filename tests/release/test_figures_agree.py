"""Each public figure comes from one selector: the page and the API say the same (issue 14)."""

import re

import pytest
from django.core.cache import cache

from partnerships.public import pledged_reduction
from tests.factories import PledgeFactory
from tests.public.test_public_pages import partner

pytestmark = pytest.mark.django_db


@pytest.fixture
def pledges(alliance, other_alliance):
    _company, agreement = partner(alliance, "Grøn Øl ApS")
    PledgeFactory(agreement=agreement)  # 500 t CO2e
    PledgeFactory(agreement=agreement, is_milestone=True, metric="", title="Grøn strøm")
    PledgeFactory(agreement=agreement, metric="t affald")  # not tonnes CO2e
    PledgeFactory(agreement=agreement, is_public=False)
    _company, other = partner(other_alliance, "Bageriet ApS")
    PledgeFactory(agreement=other, baseline_value=300, target_value=200)
    cache.clear()


def api_count(client, **params):
    return client.get("/api/v1/pledges/", params).json()["count"]


@pytest.mark.parametrize(("prefix", "words"), [("", "(tilsagn|pledges)"), ("/en", "pledges")])
def test_the_front_page_counts_the_pledges_the_api_lists(client, pledges, prefix, words):
    figures = pledged_reduction()
    assert figures["count"] == api_count(client) == 4
    assert (figures["counted"], figures["tonnes"]) == (2, 600)
    page = client.get(f"{prefix}/").content.decode()
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page))
    assert re.search(rf"\b4 {words}\b", text), text[:2000]
    assert re.search(r"\b600 ton", text)


def test_the_alliance_figures_agree_with_the_api(client, alliance, pledges):
    assert pledged_reduction(alliance)["count"] == api_count(client, alliance="aalborg") == 3
