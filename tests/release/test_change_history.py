"""The change history reads in the reader's language: labels, names, "–" for empty."""

import datetime

import pytest
from django.utils import timezone

from companies.models import Membership, MembershipLevel

pytestmark = pytest.mark.django_db


def history_html(client, alliance, company, prefix):
    page = client.get(f"{prefix}/{alliance.slug}/staff/companies/{company.pk}/")
    assert page.status_code == 200
    html = page.content.decode()
    return html[html.index('id="audit-heading"') :]


@pytest.fixture
def changed(alliance, company_a, staff_x):
    membership = Membership.objects.get(alliance=alliance, company=company_a)
    membership.status = Membership.Status.PROSPECT
    membership.save()
    level = MembershipLevel.objects.create(alliance=alliance, name="Guld", name_en="Gold", rank=1)
    membership._history_user = staff_x
    membership.status = Membership.Status.INVITED
    membership.level = level
    membership.joined_on = datetime.date(2022, 6, 14)
    membership.access_granted_by = staff_x
    membership.access_granted_at = timezone.now()
    membership.save()
    company_a._history_user = staff_x
    company_a.website = "https://alfa.dk"
    company_a.industry = "R"
    company_a.save()
    return membership


@pytest.mark.parametrize(
    ("prefix", "status", "date"),
    [
        ("", "Status: “emne” → “inviteret”", "14. juni 2022"),
        ("/en", "Status: “prospect” → “invited”", "14 June 2022"),
    ],
)
def test_the_change_history_shows_labels_names_and_dashes(
    client, alliance, company_a, staff_x, changed, prefix, status, date
):
    client.force_login(staff_x)
    html = history_html(client, alliance, company_a, prefix)
    assert status in html
    assert "None" not in html
    assert f"“{staff_x}”" in html  # shared by: a name, not an id
    assert "“Guld”" in html  # the level's name
    assert f"– → “{date}”" in html  # joined on: empty before, a date after
    assert "“https://alfa.dk”" in html and "“R”" not in html
