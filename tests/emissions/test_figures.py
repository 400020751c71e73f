"""The dashboard's alliance-wide figures, kept on one row (emissions.figures): staff see
every change of what they count on their next view (approval, a member leaving or pausing,
an agreement signed, terminated or expired), a change made while the figures are computed
is never lost, and a view costs the same queries for a small alliance and a large one."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from companies.models import Membership
from companies.services import membership_change_status
from emissions import figures, reporting
from emissions.models import AllianceFigures, PledgeStatus, Report
from partnerships.services import agreement_terminate, agreements_expire
from tests.factories import AgreementFactory, MembershipFactory, PledgeFactory

from .test_dashboard import DASHBOARD, EXPECTED_QUERIES, fill, member
from .test_documents import approved_report, inventory, round_of

pytestmark = pytest.mark.django_db

D = Decimal
MEMBERS = "Medlemmer der indberetter"
LATEST = "Seneste godkendte i alt"
PLEDGES = "Tilsagn på rette spor"
MILESTONES = "Milepæle nået"


def card(html, label):
    """The key figure under `label` on the dashboard, as staff read it."""
    after = html.split(label, 1)[1]
    return after.split('<p class="key-figure mb-0">', 1)[1].split("</p>", 1)[0]


def cards(client, *labels):
    response = client.get(DASHBOARD)
    assert response.status_code == 200
    html = response.content.decode()
    return tuple(card(html, label) for label in labels)


def pledged(alliance, company, *, value):
    """An active agreement with a CO2e pledge (1,000 t in 2021 → 500 t in 2030: 833 t is
    on the line in 2024) and a milestone, both answered in the approved 2024 report."""
    agreement = AgreementFactory(alliance=alliance, company=company)
    pledge = PledgeFactory(agreement=agreement)
    milestone = PledgeFactory(agreement=agreement, is_milestone=True, metric="")
    approved_report(alliance, company, 2024, values=[(pledge, value), (milestone, "done")])
    return agreement


@pytest.fixture
def two_members(alliance, company_a):
    """Alfa: 1,000 t → 800 t, its pledge on track. Bravo: 500 t → 450 t, behind."""
    bravo = member(alliance, "Bravo ApS")
    for company, baseline, latest, value in (
        (company_a, 900, 700, "800"),
        (bravo, 400, 350, "950"),
    ):
        inventory(company, 2021, baseline, 100, baseline=True)
        inventory(company, 2024, latest, 100)
        pledged(alliance, company, value=value)
    return company_a, bravo


@pytest.fixture
def seen(client, staff_x, alliance, two_members):
    """Staff have looked at the dashboard: the figures are stored and current."""
    client.force_login(staff_x)
    assert cards(client, MEMBERS, LATEST, PLEDGES) == ("2 af 2", "1.250 t", "1 af 2")
    assert AllianceFigures.objects.get(alliance=alliance).is_current
    return two_members


def test_a_member_leaving_shows_at_once(client, staff_x, alliance, seen):
    alfa, _bravo = seen
    membership = Membership.objects.get(alliance=alliance, company=alfa)
    membership_change_status(
        membership=membership, status=Membership.Status.LEFT, by=staff_x, reason="Flyttet"
    )
    assert cards(client, MEMBERS, LATEST, PLEDGES) == ("1 af 1", "450 t", "0 af 1")


def test_a_paused_member_no_longer_counts(client, staff_x, alliance, seen):
    _alfa, bravo = seen
    membership = Membership.objects.get(alliance=alliance, company=bravo)
    membership_change_status(membership=membership, status=Membership.Status.PAUSED, by=staff_x)
    assert cards(client, MEMBERS, LATEST, PLEDGES) == ("1 af 1", "800 t", "1 af 1")

    membership_change_status(membership=membership, status=Membership.Status.ACTIVE, by=staff_x)
    assert cards(client, MEMBERS, LATEST, PLEDGES) == ("2 af 2", "1.250 t", "1 af 2")


def test_a_terminated_agreement_takes_its_pledges_off(client, staff_x, alliance, seen):
    alfa, _bravo = seen
    agreement = alfa.agreements.get()
    agreement_terminate(agreement=agreement, by=staff_x, reason="Virksomheden er solgt.")
    assert cards(client, PLEDGES, MILESTONES) == ("0 af 1", "1 af 1")
    assert cards(client, MEMBERS) == ("2 af 2",)  # still a member, without an agreement


def test_expired_agreements_take_their_pledges_off(client, seen):
    assert agreements_expire(today=datetime.date(2029, 1, 1)) == 2
    assert cards(client, PLEDGES, MILESTONES) == ("0 af 0", "0 af 0")


def test_a_new_agreement_counts_its_pledges(client, alliance, seen):
    charlie = member(alliance, "Charlie I/S")
    assert cards(client, MEMBERS) == ("2 af 3",)
    PledgeFactory(agreement=AgreementFactory(alliance=alliance, company=charlie))
    assert cards(client, PLEDGES) == ("1 af 3",)


def test_consent_withdrawn_in_the_admin_shows_at_once(client, alliance, seen):
    _alfa, bravo = seen
    membership = Membership.objects.get(alliance=alliance, company=bravo)
    membership.access_granted_at = None
    membership.save()
    assert cards(client, MEMBERS, LATEST) == ("1 af 1", "800 t")


def test_approval_moves_the_figures_and_the_pledges(client, staff_x, alliance, seen):
    alfa, _bravo = seen
    inventory(alfa, 2025, 500, 100)
    report = Report.objects.create(
        round=round_of(alliance, 2025), company=alfa, status=Report.Status.SUBMITTED
    )
    pledge = alfa.agreements.get().pledges.get(is_milestone=False)
    PledgeStatus.objects.create(report=report, pledge=pledge, value=D("900"))  # behind now
    assert cards(client, LATEST, PLEDGES) == ("1.250 t", "1 af 2")  # not approved yet

    reporting.report_approve(report=report, by=staff_x)

    assert cards(client, LATEST, PLEDGES) == ("1.050 t", "0 af 2")


def test_other_alliances_changes_leave_the_figures_current(alliance, other_alliance, seen):
    MembershipFactory(alliance=other_alliance)
    assert AllianceFigures.objects.get(alliance=alliance).is_current
    assert not AllianceFigures.objects.get(alliance=other_alliance).is_current


def test_the_stored_figures_are_exactly_what_summing_says(client, alliance, seen):
    stored = AllianceFigures.objects.get(alliance=alliance).figures
    assert stored == figures._dump(figures.compute(alliance))
    assert figures.current(alliance) == figures.compute(alliance)


def test_a_change_made_while_computing_is_not_lost(client, alliance, seen, monkeypatch):
    """Someone adds a member after the view read the version and before it stored the
    figures it computed without that member: the view does not store them as current."""
    member(alliance, "Sen ApS")  # outdates the row; the next view recomputes
    compute = figures.compute

    def computed_then_changed(of):
        result = compute(of)
        member(alliance, "Samtidig ApS")
        return result

    monkeypatch.setattr(figures, "compute", computed_then_changed)
    assert cards(client, MEMBERS) == ("2 af 3",)
    assert not AllianceFigures.objects.get(alliance=alliance).is_current
    monkeypatch.undo()

    assert cards(client, MEMBERS) == ("2 af 4",)
    assert AllianceFigures.objects.get(alliance=alliance).is_current


def test_an_alliance_without_its_row_gets_one(client, staff_x, alliance, two_members):
    AllianceFigures.objects.all().delete()  # e.g. made around the signals
    client.force_login(staff_x)
    assert cards(client, MEMBERS) == ("2 af 2",)
    assert cards(client, MEMBERS) == ("2 af 2",)
    assert AllianceFigures.objects.get(alliance=alliance).is_current


def test_each_alliance_staff_see_only_their_own_figures(client, staff_x, staff_y, seen):
    client.force_login(staff_y)
    assert client.get(DASHBOARD).status_code == 403
    page = client.get("/aarhus/staff/emissions/").content.decode()
    assert card(page, MEMBERS) == "0 af 0"


def test_names_in_the_member_table_are_escaped(client, staff_x, alliance):
    member(alliance, "Smith & <Søn> A/S")
    client.force_login(staff_x)
    html = client.get(DASHBOARD).content.decode()
    assert "<Søn>" not in html
    assert ">Smith &amp; &lt;Søn&gt; A/S</a>" in html
    assert '<span class="visually-hidden"> for Smith &amp; &lt;Søn&gt; A/S</span>' in html


# --- Queries ----------------------------------------------------------------------------------


def dashboard_queries(client):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(DASHBOARD).status_code == 200
    return len(queries)


def test_the_queries_are_the_same_for_3_or_30_members(client, staff_x, alliance):
    """Pinned for both kinds of view: the one that recomputes the figures after a change
    and the ones that read them."""
    client.force_login(staff_x)
    fill(alliance, 3)
    small = (dashboard_queries(client), dashboard_queries(client))
    fill(alliance, 27, start=3)
    large = (dashboard_queries(client), dashboard_queries(client))
    assert small == large
    # Reading: session, user, second factor, staff roles, latest round, the figures, targets,
    # the page of members, the task count in the menu. Recomputing: the headline, the year
    # totals and the leavers' figures, the pledges, and storing them (a savepoint, the row
    # locked unless a change holds it, the update, the release).
    assert small == (EXPECTED_QUERIES + 8, EXPECTED_QUERIES)
