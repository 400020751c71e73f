"""One date format per language on a page: "14. juni 2022" in Danish, "14 June 2022" in
English; never "14.06.2022" or "2022-06-14" beside them (issue 14)."""

import datetime
import re

import pytest

from companies.models import Membership
from tests.public.test_public_pages import partner

pytestmark = pytest.mark.django_db

SHORT = {"da": r"\b\d{2}\.\d{2}\.\d{4}\b", "en": r"\b\d{4}-\d{2}-\d{2}\b"}


def visible(html):
    html = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


@pytest.mark.parametrize(
    ("prefix", "language", "long"), [("", "da", "14. juni 2022"), ("/en", "en", "14 June 2022")]
)
def test_the_company_page_has_one_date_format(
    client, staff_x, alliance, company_a, prefix, language, long
):
    Membership.objects.filter(alliance=alliance, company=company_a).update(
        joined_on=datetime.date(2022, 6, 14)
    )
    company_a.internal_notes.create(alliance=alliance, author=staff_x, text="Møde holdt")
    client.force_login(staff_x)
    text = visible(client.get(f"{prefix}/aalborg/staff/companies/{company_a.pk}/").content.decode())
    assert not re.search(SHORT[language], text)
    assert long in text or "2022" not in text


@pytest.mark.parametrize(
    ("prefix", "language", "start"), [("", "da", "1. januar 2025"), ("/en", "en", "1 January 2025")]
)
def test_the_partner_profile_has_one_date_format(client, alliance, prefix, language, start):
    company, agreement = partner(alliance, "Grøn Øl ApS")
    type(agreement).objects.filter(pk=agreement.pk).update(
        start_date=datetime.date(2025, 1, 1), end_date=datetime.date(2028, 1, 1)
    )
    text = visible(client.get(f"{prefix}/aalborg/partners/{company.cvr}/").content.decode())
    assert start in text
    assert not re.search(SHORT[language], text)
