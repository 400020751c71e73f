"""Calendar feeds: a person's private feed (unguessable, revocable address) and each
network's public events."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from klimaalliance.caching import public_page
from klimaalliance.models import Alliance, User
from network.models import AllianceNetwork

from .. import calendars

CONTENT_TYPE = "text/calendar; charset=utf-8"


@require_GET
@never_cache
def personal_feed(request, token):
    """The private feed: the token is the only key (calendar apps do not sign in)."""
    user = User.objects.filter(calendar_token=token, is_active=True).first() if token else None
    if user is None:
        raise Http404
    with translation.override(user.language or settings.LANGUAGE_CODE):
        feed = calendars.personal_calendar(user)
    response = HttpResponse(feed, content_type=CONTENT_TYPE)
    response["X-Robots-Tag"] = "noindex"
    return response


@require_POST
@login_required
def feed_address(request):
    """Make a new private address (the old one stops working) or turn the feed off."""
    user = request.user
    if request.POST.get("action") == "off":
        user.calendar_token = ""
        messages.success(request, _("Your calendar address is turned off."))
    else:
        user.calendar_token = calendars.new_token()
        messages.success(request, _("Your calendar has a new address; the old one stops working."))
    user.save(update_fields=["calendar_token"])
    return redirect("my-tasks")


@require_GET
@public_page
def network_feed(request, slug):
    network = get_object_or_404(AllianceNetwork, slug=slug)
    return HttpResponse(calendars.network_calendar(network), content_type=CONTENT_TYPE)


@require_GET
@public_page
def alliance_feed(request, alliance_slug):
    alliance = get_object_or_404(Alliance, slug=alliance_slug)
    return HttpResponse(calendars.alliance_calendar(alliance), content_type=CONTENT_TYPE)
