"""'My tasks': what waits for a person, across alliances and companies; each item links to
the place of action and leaves the list when done; constant queries however many items."""

import datetime

import pytest
from django.utils import timezone

from companies.models import Dialogue, Membership, Story
from emissions.models import Report, ReportingRound
from network.models import CommitmentPaper, GroupMember, WorkingGroup
from partnerships.models import Agreement
from portal.my_tasks import task_count, tasks_for
from tests.factories import (
    AgreementFactory,
    CompanyFactory,
    MembershipFactory,
    RepresentationFactory,
    StaffRoleFactory,
)

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def world(alliance, other_alliance, person, n):
    """`person` represents (and may sign for) a company in Aalborg and is a team leader who
    may countersign in Aarhus; `n` tasks of several kinds, one of each other kind."""
    company = MembershipFactory(
        alliance=alliance, company=CompanyFactory(legal_name="Gamma")
    ).company
    RepresentationFactory(company=company, user=person)
    StaffRoleFactory(alliance=other_alliance, user=person)
    aarhus_company = MembershipFactory(alliance=other_alliance).company
    for _ in range(n):
        AgreementFactory(alliance=alliance, company=company, status=Agreement.Status.SENT)
        AgreementFactory(
            alliance=other_alliance, company=aarhus_company, status=Agreement.Status.SIGNED
        )
    Story.objects.bulk_create(
        Story(alliance=other_alliance, company=aarhus_company, title=f"Historie {i}", text="x")
        for i in range(n)
    )
    Dialogue.objects.bulk_create(
        Dialogue(
            alliance=other_alliance,
            company=aarhus_company,
            date=TODAY,
            kind="phone",
            summary=f"Ring igen {i}",
            follow_up_on=TODAY - datetime.timedelta(days=1),
        )
        for i in range(n)
    )
    open_round = ReportingRound.objects.create(
        alliance=alliance, year=TODAY.year - 1, deadline=TODAY + datetime.timedelta(days=9)
    )
    Report.objects.create(round=open_round, company=company)
    review_round = ReportingRound.objects.create(
        alliance=other_alliance, year=TODAY.year - 1, deadline=TODAY + datetime.timedelta(days=9)
    )
    Report.objects.create(round=review_round, company=aarhus_company, status="submitted")
    group = WorkingGroup.objects.create(alliance=alliance, name="Grøn mobilitet", theme="mobility")
    GroupMember.objects.create(group=group, company=company, joined_on=TODAY)
    CommitmentPaper.objects.create(group=group, title="Nulemission", text="Tekst", status="open")
    third = MembershipFactory(
        company=company, status=Membership.Status.INVITED, access_granted_at=None
    )
    return company, third


def test_every_kind_of_task_links_to_where_the_person_acts(client, alliance, other_alliance, rep_a):
    company, _invitation = world(alliance, other_alliance, rep_a, 1)
    client.force_login(rep_a)
    page = client.get("/en/my/tasks/").content.decode()
    kinds = [task.kind for task in tasks_for(rep_a, language="en")]
    assert sorted(kinds) == sorted(
        [
            "agreement-sign",
            "agreement-countersign",
            "report-submit",
            "report-review",
            "paper-sign",
            "story-approve",
            "follow-up",
            "membership-answer",
        ]
    )
    sent = Agreement.objects.get(status="sent")
    signed = Agreement.objects.get(status="signed")
    for link in [
        f"/en/my/agreements/{sent.pk}/sign/",
        f"/en/aarhus/staff/agreements/{signed.pk}/countersign/",
        "/en/my/groups/papers/",
        "/en/aarhus/staff/companies/stories/",
        f"/en/my/companies/{company.pk}/",
    ]:
        assert link in page
    assert "Countersign the agreement" in page and "Sign the commitment paper" in page
    assert "8 things wait for you." in page
    assert task_count(rep_a) == 8
    # In the navigation too, on any signed-in page.
    assert 'badge text-bg-light">8' in client.get("/en/accounts/me/").content.decode()


def test_done_tasks_leave_the_list(alliance, other_alliance, rep_a):
    world(alliance, other_alliance, rep_a, 1)
    Agreement.objects.filter(status="sent").update(status="signed")  # signed by the company
    Agreement.objects.filter(alliance=other_alliance, status="signed").update(status="active")
    Story.objects.update(status=Story.Status.APPROVED)
    Dialogue.objects.update(follow_up_done=True)
    Report.objects.update(status="approved")
    Membership.objects.filter(status="invited").update(access_granted_at=timezone.now())
    CommitmentPaper.objects.update(status="closed")
    assert tasks_for(rep_a) == [] and task_count(rep_a) == 0


def test_nobody_sees_anyone_elses_tasks(alliance, other_alliance, rep_a, rep_b, staff_x):
    world(alliance, other_alliance, rep_a, 1)
    assert tasks_for(rep_b) == [] and task_count(rep_b) == 0
    # staff_x is a team leader of Aalborg: nothing of Aarhus's waits for them.
    assert tasks_for(staff_x) == []


@pytest.mark.parametrize("n", [1, 200])
def test_the_task_list_costs_the_same_queries_for_1_or_200_items(
    client, alliance, other_alliance, rep_a, n, django_assert_num_queries
):
    world(alliance, other_alliance, rep_a, n)
    client.force_login(rep_a)
    # session, user, their authenticator app (staff), 9 for the list (one per kind, the
    # papers two), representations, staff roles (navigation); the count in the navigation
    # is the list's length.
    with django_assert_num_queries(14):
        response = client.get("/my/tasks/")
    assert response.content.decode().count('data-task="') == 4 * n + 4
    with django_assert_num_queries(1):
        assert task_count(rep_a) == 4 * n + 4


def test_everyone_lands_on_their_tasks_after_signing_in(client, rep_a):
    client.force_login(rep_a)
    assert client.get("/accounts/after-login/")["Location"] == "/my/tasks/"


def test_anonymous_pages_carry_no_task_count(client, alliance, django_assert_num_queries):
    assert client.get("/my/tasks/")["Location"].startswith("/accounts/login/")
    assert "my_task_count" not in (client.get("/aalborg/").context or {})
