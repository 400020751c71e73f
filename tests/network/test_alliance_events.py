"""An alliance's public events: on its page, a page each, an Atom and an iCalendar feed."""

import datetime
import xml.etree.ElementTree as ET

import pytest
from django.utils import timezone
from icalendar import Calendar

from network.models import AllianceEvent

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture
def events(alliance, other_alliance):
    today = timezone.localdate()
    return {
        "summit": AllianceEvent.objects.create(
            alliance=alliance,
            title="Årligt klimatopmøde",
            date=today + datetime.timedelta(days=30),
            end=today + datetime.timedelta(days=31),
            place="Aalborg Kongres & Kultur Center",
            description="Partnerne mødes og gør status.",
            link="https://example.org/topmoede",
        ),
        "past": AllianceEvent.objects.create(
            alliance=alliance, title="Lancering", date=today - datetime.timedelta(days=300)
        ),
        "elsewhere": AllianceEvent.objects.create(
            alliance=other_alliance, title="Aarhus-møde", date=today + datetime.timedelta(days=5)
        ),
    }


def test_the_alliance_page_shows_coming_events_only(client, events, django_assert_num_queries):
    html = client.get("/aalborg/").content.decode()
    assert "Årligt klimatopmøde" in html
    assert f'href="/aalborg/events/{events["summit"].pk}/"' in html
    assert "Lancering" not in html and "Aarhus-møde" not in html
    assert 'href="/aalborg/events/feed/"' in html and 'href="/aalborg/events.ics"' in html


def test_event_list_and_page(client, events, django_assert_num_queries):
    with django_assert_num_queries(2):  # the alliance, its events
        response = client.get("/aalborg/events/")
    html = response.content.decode()
    assert html.index("Årligt klimatopmøde") < html.index("Lancering")  # coming, then past
    assert "Aarhus-møde" not in html
    assert not response.cookies

    summit = events["summit"]
    with django_assert_num_queries(1):
        page = client.get(f"/aalborg/events/{summit.pk}/")
    html = page.content.decode()
    assert "Aalborg Kongres &amp; Kultur Center" in html
    assert "Partnerne mødes og gør status." in html
    assert f'datetime="{summit.end:%Y-%m-%d}"' in html
    # Another alliance's event is not found under this alliance.
    assert client.get(f"/aalborg/events/{events['elsewhere'].pk}/").status_code == 404


def test_atom_feed(client, events):
    response = client.get("/aalborg/events/feed/")
    assert response["Content-Type"].startswith("application/atom+xml")
    feed = ET.fromstring(response.content)  # noqa: S314 (our own response)
    titles = [entry.findtext(f"{ATOM}title") for entry in feed.iter(f"{ATOM}entry")]
    assert len(titles) == 2
    assert any(title.startswith("Årligt klimatopmøde (") for title in titles)


def test_ical_feed(client, events):
    response = client.get("/aalborg/events.ics")
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert not response.cookies
    calendar = Calendar.from_ical(response.content)
    by_title = {str(e["summary"]): e for e in calendar.walk("VEVENT")}
    assert set(by_title) == {"Årligt klimatopmøde", "Lancering"}
    summit, event = events["summit"], by_title["Årligt klimatopmøde"]
    assert event["dtstart"].dt == summit.date
    assert event["dtend"].dt == summit.end + datetime.timedelta(days=1)  # exclusive end
    assert str(event["location"]) == summit.place
    assert str(event["url"]).endswith(f"/aalborg/events/{summit.pk}/")
    assert str(event["uid"]) == f"alliance-event-{summit.pk}@klimaalliance"


def test_an_event_cannot_end_before_it_starts(alliance):
    from django.core.exceptions import ValidationError

    event = AllianceEvent(
        alliance=alliance,
        title="x",
        date=datetime.date(2026, 5, 2),
        end=datetime.date(2026, 5, 1),
    )
    with pytest.raises(ValidationError):
        event.full_clean()
