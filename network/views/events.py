"""An alliance's public events: a list, a page each and an Atom feed (the iCalendar feed
is the roof's, beside the other calendars in portal/calendars.py).

Public pages set no cookie and are cached (`public_page`); staff add events in the admin.
"""

from django.contrib.syndication.views import Feed
from django.db.models import Q
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from klimaalliance.caching import public_page
from klimaalliance.models import Alliance

from ..models import AllianceEvent

FEED_COUNT = 50


def upcoming(alliance, today=None):
    """The alliance's events not over yet, the next first."""
    today = today or timezone.localdate()
    return (
        AllianceEvent.objects.filter(Q(date__gte=today) | Q(end__gte=today), alliance=alliance)
        .select_related("alliance")
        .order_by("date", "pk")
    )


@require_GET
@public_page
def event_list(request, alliance_slug):
    alliance = get_object_or_404(Alliance, slug=alliance_slug)
    today = timezone.localdate()
    events = list(AllianceEvent.objects.filter(alliance=alliance).order_by("date", "pk"))
    for event in events:
        event.alliance = alliance  # their links name it: no query per event
    context = {
        "alliance": alliance,
        "upcoming": [event for event in events if event.last_day >= today],
        "past": [event for event in reversed(events) if event.last_day < today],
    }
    return render(request, "network/event_list.html", context)


@require_GET
@public_page
def event_detail(request, alliance_slug, pk):
    event = get_object_or_404(
        AllianceEvent.objects.select_related("alliance"), alliance__slug=alliance_slug, pk=pk
    )
    return render(
        request, "network/event_detail.html", {"alliance": event.alliance, "event": event}
    )


class EventFeed(Feed):
    """Atom feed of an alliance's events, the newest announced first."""

    feed_type = Atom1Feed

    def get_object(self, request, alliance_slug):
        return get_object_or_404(Alliance, slug=alliance_slug)

    def title(self, alliance):
        return _("Events of %(alliance)s") % {"alliance": alliance.name}

    def link(self, alliance):
        return reverse("event-list", args=[alliance.slug])

    def subtitle(self, alliance):
        return _("Summits, meetings and launches of %(alliance)s.") % {"alliance": alliance.name}

    def items(self, alliance):
        return AllianceEvent.objects.filter(alliance=alliance).order_by("-created_at", "-pk")[
            :FEED_COUNT
        ]

    def item_title(self, event):
        return f"{event.title} ({_date_span(event)})"

    def item_description(self, event):
        return "\n\n".join(filter(None, [event.place, event.description]))

    def item_pubdate(self, event):
        return event.created_at

    def item_updateddate(self, event):
        return event.updated_at


def _date_span(event) -> str:
    if event.end and event.end != event.date:
        return f"{date_format(event.date, 'DATE_FORMAT')}–{date_format(event.end, 'DATE_FORMAT')}"
    return date_format(event.date, "DATE_FORMAT")
