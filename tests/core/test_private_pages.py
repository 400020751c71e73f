"""Signed-in pages kept per session (klimaalliance/private_pages.py): served again only to
the session they were rendered for, after the same checks, and never once the data changed."""

import re
import threading

import pytest
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from redis import RedisError

from companies.models import Company, Dialogue, Membership
from klimaalliance.models import StaffRole
from tests.factories import CompanyFactory, MembershipFactory, StaffRoleFactory, UserFactory

MEMBERS = "/aalborg/staff/companies/"
DASHBOARD = "/aalborg/staff/"
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def signed_in(user, **kwargs):
    client = Client(**kwargs)
    client.force_login(user)
    return client


def queries(client, url):
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200
    return len(context), response.content.decode()


@pytest.fixture
def leader(staff_x, alliance):
    MembershipFactory(alliance=alliance, company=CompanyFactory(legal_name="Æblemosteriet ApS"))
    return signed_in(staff_x)


def test_a_second_view_with_nothing_changed_costs_only_the_checks(leader):
    rendered, first = queries(leader, MEMBERS)
    cached, second = queries(leader, MEMBERS)
    # session, user and second-factor device; the staff roles come from the cache while
    # nothing was written, as does the page
    assert cached == 3 < rendered
    assert "Æblemosteriet ApS" in second
    assert TOKEN.sub("", first) == TOKEN.sub("", second)


def test_every_kind_of_write_retires_the_page_also_those_no_signal_sees(leader, alliance):
    queries(leader, MEMBERS)
    Company.objects.filter(legal_name="Æblemosteriet ApS").update(legal_name="Mosteriet A/S")
    assert "Mosteriet A/S" in leader.get(MEMBERS).content.decode()
    Membership.objects.bulk_create(
        [Membership(alliance=alliance, company=CompanyFactory(legal_name="Bryggeriet ApS"))]
    )
    assert "Bryggeriet ApS" in leader.get(MEMBERS).content.decode()
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE companies_company SET legal_name = %s WHERE legal_name = %s",
            ["Bryghuset ApS", "Bryggeriet ApS"],
        )
    assert "Bryghuset ApS" in leader.get(MEMBERS).content.decode()


def test_a_page_is_never_served_to_another_session_or_user(leader, staff_x, alliance, staff_y):
    colleague = StaffRoleFactory(
        alliance=alliance, user=UserFactory(email="kollega@aalborg.example")
    ).user
    queries(leader, MEMBERS)
    # The same user in a second browser, a colleague and the other alliance's staff: each
    # is checked and rendered for, none gets the leader's copy.
    for client in (signed_in(staff_x), signed_in(colleague)):
        rendered, _ = queries(client, MEMBERS)
        assert rendered > 4
    outsider = signed_in(staff_y)
    response = outsider.get(MEMBERS)
    assert response.status_code == 403
    assert "Æblemosteriet" not in response.content.decode()


def test_signing_out_ends_the_copy_with_the_session(leader):
    queries(leader, MEMBERS)
    leader.logout()
    response = leader.get(MEMBERS)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.fixture
def follow_up(staff_x, alliance):
    """A follow-up due today, on the staff dashboard with a "Mark as done" form."""
    company = CompanyFactory(legal_name="Æblemosteriet ApS")
    MembershipFactory(alliance=alliance, company=company)
    return Dialogue.objects.create(
        alliance=alliance,
        company=company,
        date=timezone.localdate(),
        kind="meeting",
        summary="Opfølgning på energiplan",
        follow_up_on=timezone.localdate(),
        author=staff_x,
    )


def test_each_served_copy_has_a_fresh_csrf_token_that_is_accepted(staff_x, follow_up):
    client = signed_in(staff_x, enforce_csrf_checks=True)
    first = client.get(DASHBOARD).content.decode()
    cached, second = queries(client, DASHBOARD)
    assert cached == 3
    tokens = TOKEN.findall(first), TOKEN.findall(second)
    assert tokens[0] and tokens[1] and set(tokens[0]).isdisjoint(tokens[1])
    done_url = re.search(r'<form method="post" action="([^"]+/done/)"', second)[1]
    response = client.post(done_url, {"csrfmiddlewaretoken": tokens[1][0], "next": "dashboard"})
    assert response.status_code == 302


def test_a_message_is_shown_once_and_the_page_after_it_is_current(staff_x, follow_up):
    client = signed_in(staff_x)
    assert "Opfølgning på energiplan" in client.get(DASHBOARD).content.decode()
    response = client.post(
        f"{MEMBERS}{follow_up.company_id}/dialogues/{follow_up.pk}/done/",
        {"next": "dashboard"},
        follow=True,
    )
    page = response.content.decode()
    assert "Opfølgningen er markeret som udført." in page
    assert "Opfølgning på energiplan" not in page
    again = client.get(DASHBOARD).content.decode()
    assert "Opfølgningen er markeret som udført." not in again
    assert "Opfølgning på energiplan" not in again


def test_with_the_cache_down_the_page_is_rendered(leader, monkeypatch):
    from django.core.cache import cache

    def unreachable(*args, **kwargs):
        raise RedisError("connection refused")

    monkeypatch.setattr(cache, "get_many", unreachable)
    rendered, page = queries(leader, MEMBERS)
    assert rendered > 4 and "Æblemosteriet ApS" in page


@pytest.mark.django_db(transaction=True)
def test_a_page_read_while_another_process_writes_is_retired_by_its_commit(staff_x, alliance):
    """As a Celery worker or another web process would write: its own connection and
    transaction. A page rendered between its write and its commit shows the data before;
    the commit retires it."""
    company = CompanyFactory(legal_name="Æblemosteriet ApS")
    MembershipFactory(alliance=alliance, company=company)
    client = signed_in(staff_x)
    written, read = threading.Event(), threading.Event()

    def rename_elsewhere():
        try:
            with transaction.atomic():
                Company.objects.filter(pk=company.pk).update(legal_name="Mosteriet A/S")
                written.set()
                assert read.wait(10)
        finally:
            connection.close()

    worker = threading.Thread(target=rename_elsewhere)
    worker.start()
    assert written.wait(10)
    assert "Æblemosteriet ApS" in client.get(MEMBERS).content.decode()  # not committed yet
    read.set()
    worker.join(10)
    assert "Mosteriet A/S" in client.get(MEMBERS).content.decode()


def test_a_rolled_back_write_still_leaves_later_writes_seen(leader, alliance):
    queries(leader, MEMBERS)
    with pytest.raises(RuntimeError), transaction.atomic():
        Company.objects.filter(legal_name="Æblemosteriet ApS").update(legal_name="Fortrudt")
        raise RuntimeError
    assert "Æblemosteriet ApS" in leader.get(MEMBERS).content.decode()
    Company.objects.filter(legal_name="Æblemosteriet ApS").update(legal_name="Mosteriet A/S")
    assert "Mosteriet A/S" in leader.get(MEMBERS).content.decode()


def test_a_withdrawn_staff_role_shuts_the_pages_at_once(leader, staff_x, alliance):
    queries(leader, MEMBERS)
    queries(leader, MEMBERS)  # page and roles now come from the cache
    StaffRole.objects.filter(user=staff_x, alliance=alliance).delete()
    for url in (MEMBERS, DASHBOARD):
        response = leader.get(url)
        assert response.status_code == 403
        assert "Æblemosteriet" not in response.content.decode()


def test_a_role_granted_in_another_alliance_shows_at_once(leader, staff_x, other_alliance):
    queries(leader, MEMBERS)
    other = f"/{other_alliance.slug}/staff/companies/"
    assert leader.get(other).status_code == 403
    StaffRole.objects.create(user=staff_x, alliance=other_alliance)
    assert leader.get(other).status_code == 200
