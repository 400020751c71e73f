"""Calendar feeds: a private, revocable feed per person and a public one per network; both
parse with the icalendar library and hold the expected events."""

import datetime

import pytest
from icalendar import Calendar

from emissions.models import Report, ReportingRound
from network.models import AllianceNetwork, GroupMember, Meeting, NetworkEvent, WorkingGroup
from tests.factories import AgreementFactory

pytestmark = pytest.mark.django_db

DEADLINE = datetime.date(2030, 3, 31)


def events(response):
    assert response["Content-Type"].startswith("text/calendar")
    calendar = Calendar.from_ical(response.content)
    return {str(event["summary"]): event.decoded("dtstart") for event in calendar.walk("VEVENT")}


def test_a_private_feed_holds_deadlines_meetings_and_end_dates_and_can_be_revoked(
    client, alliance, company_a, rep_a
):
    reporting_round = ReportingRound.objects.create(alliance=alliance, year=2029, deadline=DEADLINE)
    Report.objects.create(round=reporting_round, company=company_a)
    group = WorkingGroup.objects.create(alliance=alliance, name="Grøn mobilitet", theme="mobility")
    GroupMember.objects.create(group=group, company=company_a, joined_on=datetime.date(2025, 1, 1))
    Meeting.objects.create(group=group, date=datetime.date(2030, 2, 1), agenda="Elbiler")
    AgreementFactory(alliance=alliance, company=company_a, end_date=datetime.date(2031, 1, 1))
    client.force_login(rep_a)
    client.post("/my/calendar/")
    rep_a.refresh_from_db()
    url = f"/calendar/{rep_a.calendar_token}.ics"
    assert url in client.get("/my/tasks/").content.decode()
    client.logout()  # calendar apps do not sign in
    found = events(client.get(url))
    assert found[next(name for name in found if "Alfa A/S" in name and "2029" in name)] == DEADLINE
    assert datetime.date(2030, 2, 1) in found.values()
    assert datetime.date(2031, 1, 1) in found.values()
    assert len(found) == 3
    # A new address retires the old one; turning it off retires that too.
    client.force_login(rep_a)
    client.post("/my/calendar/")
    assert client.get(url).status_code == 404
    rep_a.refresh_from_db()
    renewed = f"/calendar/{rep_a.calendar_token}.ics"
    assert client.get(renewed).status_code == 200
    client.post("/my/calendar/", {"action": "off"})
    assert client.get(renewed).status_code == 404


def test_a_networks_public_feed_lists_its_events(client):
    network = AllianceNetwork.objects.create(name="DK2020-klimaalliancen", slug="dk2020")
    NetworkEvent.objects.create(
        network=network, title="Årligt topmøde", date=datetime.date(2030, 9, 1), place="Vejle"
    )
    response = client.get("/networks/dk2020/events.ics")
    assert response.status_code == 200 and not response.cookies
    assert events(response) == {"Årligt topmøde": datetime.date(2030, 9, 1)}
