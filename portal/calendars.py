"""Calendar feeds (iCalendar, RFC 5545, made with the `icalendar` library).

* A **private feed per person** at an unguessable address (`User.calendar_token`): the
  deadlines of their companies' reports (and, for staff, of their alliances' open rounds),
  the meetings of the working groups their companies belong to (staff: of their alliances'
  groups) and the end dates of the agreements they are party to. Renewing the address or
  turning the feed off makes the old address answer 404.
* A **public feed per network** of municipalities with its events.

All-day events (the portal keeps dates, not times); each has a stable UID, so a calendar
app updates an event instead of adding it twice.
"""

import datetime
import secrets

from django.conf import settings
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from icalendar import Calendar, Event

from emissions.models import Report, ReportingRound
from network.models import Meeting
from partnerships.models import Agreement

DOMAIN = "klimaalliance"


def new_token() -> str:
    return secrets.token_urlsafe(32)


def _calendar(name: str) -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", "-//Klimaalliance//Portal//DA")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", name)
    return calendar


def _event(uid: str, day: datetime.date, summary: str, *, description="", url="") -> Event:
    event = Event()
    event.add("uid", f"{uid}@{DOMAIN}")
    event.add("dtstamp", timezone.now())
    event.add("dtstart", day)
    event.add("dtend", day + datetime.timedelta(days=1))
    event.add("summary", summary)
    if description:
        event.add("description", description)
    if url:
        event.add("url", f"{settings.SITE_URL}{url}")
    return event


def personal_calendar(user) -> bytes:
    """The person's deadlines, group meetings and agreement end dates (a fixed number of
    queries)."""
    calendar = _calendar(_("My Klimaalliance"))
    represents = Q(company__representatives__user=user)
    reports = (
        Report.objects.filter(represents, round__status=ReportingRound.Status.OPEN)
        .select_related("round__alliance", "company")
        .order_by("pk")
    )
    for report in reports:
        calendar.add_component(
            _event(
                f"report-{report.pk}",
                report.deadline,
                _("Report deadline %(year)s: %(company)s")
                % {"year": report.round.year, "company": report.company.name},
                url=reverse("my-emissions:report-edit", args=[report.pk]),
            )
        )
    rounds = (
        ReportingRound.objects.filter(
            status=ReportingRound.Status.OPEN, alliance__staff_roles__user=user
        )
        .select_related("alliance")
        .order_by("pk")
    )
    for reporting_round in rounds:
        calendar.add_component(
            _event(
                f"round-{reporting_round.pk}",
                reporting_round.deadline,
                _("Reporting deadline %(year)s: %(alliance)s")
                % {"year": reporting_round.year, "alliance": reporting_round.alliance.name},
                url=reverse(
                    "emissions:round-detail",
                    args=[reporting_round.alliance.slug, reporting_round.pk],
                ),
            )
        )
    meetings = (
        Meeting.objects.filter(
            Q(
                group__members__company__representatives__user=user,
                group__members__left_on__isnull=True,
            )
            | Q(group__alliance__staff_roles__user=user)
        )
        .select_related("group")
        .distinct()
        .order_by("date", "pk")
    )
    for meeting in meetings:
        calendar.add_component(
            _event(
                f"meeting-{meeting.pk}",
                meeting.date,
                _("Meeting: %(group)s") % {"group": meeting.group.name},
                description=meeting.agenda,
            )
        )
    agreements = (
        Agreement.objects.filter(
            Q(company__representatives__user=user) | Q(alliance__staff_roles__user=user),
            status=Agreement.Status.ACTIVE,
        )
        .select_related("alliance", "company")
        .distinct()
        .order_by("pk")
    )
    for agreement in agreements:
        calendar.add_component(
            _event(
                f"agreement-end-{agreement.pk}",
                agreement.end_date,
                _("Agreement ends: %(company)s – %(alliance)s")
                % {"company": agreement.company.name, "alliance": agreement.alliance.name},
            )
        )
    return calendar.to_ical()


def network_calendar(network) -> bytes:
    """A network's public events."""
    calendar = _calendar(network.name)
    for event in network.events.order_by("date", "pk"):
        calendar.add_component(
            _event(
                f"network-event-{event.pk}",
                event.date,
                event.title,
                description="\n".join(filter(None, [event.place, event.programme])),
                url=reverse("network-detail", args=[network.slug]),
            )
        )
    return calendar.to_ical()


def alliance_calendar(alliance) -> bytes:
    """An alliance's public events (all-day; several days up to and including `end`)."""
    calendar = _calendar(alliance.name)
    for event in alliance.events.order_by("date", "pk"):
        component = _event(
            f"alliance-event-{event.pk}",
            event.date,
            event.title,
            description="\n".join(filter(None, [event.place, event.description, event.link])),
            url=event.get_absolute_url(),
        )
        if event.end and event.end > event.date:
            component.pop("dtend")
            component.add("dtend", event.end + datetime.timedelta(days=1))
        if event.place:
            component.add("location", event.place)
        calendar.add_component(component)
    return calendar.to_ical()
