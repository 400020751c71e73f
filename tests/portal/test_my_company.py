"""The representative's company page leads somewhere: where the company stands in each
alliance and what comes next, its working groups, its approved reports; the menu and the
footer lead to the working groups and to /verify/. Pages under /en/ for the wording."""

import datetime

import pytest
from django.core.files.base import ContentFile
from django.test import Client

from companies.models import Membership
from emissions.models import Report, ReportingRound
from network.models import GroupMember, WorkingGroup
from tests.conftest import PASSWORD
from tests.factories import AgreementFactory, MembershipFactory

pytestmark = pytest.mark.django_db


def page(client, company):
    return client.get(f"/en/my/companies/{company.pk}/").content.decode()


def test_the_company_page_says_what_comes_next_in_each_alliance(
    client, rep_a, company_a, alliance, other_alliance
):
    MembershipFactory(alliance=other_alliance, company=company_a, status=Membership.Status.INVITED)
    AgreementFactory(alliance=alliance, company=company_a, status="sent")
    client.force_login(rep_a)
    html = page(client, company_a)
    assert "The agreement awaits the company&#x27;s signature." in html
    assert "The alliance drafts a partnership agreement with you." in html  # Aarhus
    assert "not a member of any alliance" not in html


def test_working_groups_and_approved_report_pdfs_are_linked(client, rep_a, company_a, alliance):
    group = WorkingGroup.objects.create(alliance=alliance, name="Grøn logistik", theme="logistics")
    GroupMember.objects.create(group=group, company=company_a, joined_on=datetime.date(2025, 1, 1))
    closed = ReportingRound.objects.create(
        alliance=alliance, year=2024, deadline=datetime.date(2025, 3, 1), status="closed"
    )
    report = Report.objects.create(round=closed, company=company_a, status=Report.Status.APPROVED)
    report.pdf.save("r.pdf", ContentFile(b"%PDF-1.7"), save=False)
    Report.objects.filter(pk=report.pk).update(pdf=report.pdf.name)
    client.force_login(rep_a)
    html = page(client, company_a)
    assert f'href="/en/my/groups/{group.pk}/"' in html and "Grøn logistik" in html
    assert f'href="/en/my/emissions/reports/{report.pk}/pdf/"' in html
    assert "Progress report 2024 for Klimaalliancen Aalborg (PDF)" in html


def test_the_menu_leads_representatives_to_their_groups_and_the_footer_to_verify(rep_a):
    client = Client()
    assert client.post("/en/accounts/login/", {"username": rep_a.email, "password": PASSWORD})
    html = client.get("/en/my/tasks/").content.decode()
    assert "My working groups" in html and 'href="/en/my/groups/"' in html
    assert 'href="/en/verify/"' in client.get("/en/").content.decode()


def test_staff_without_companies_see_no_working_groups_link(client, staff_x):
    client.force_login(staff_x)
    assert "My working groups" not in client.get("/en/aalborg/staff/").content.decode()
