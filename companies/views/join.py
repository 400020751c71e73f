""" "Become a partner": a company asks to join an alliance on its public page.

The one public page with a form that posts: it renders a CSRF token, so it sets the CSRF
cookie and is never cached (`public_page` is not used). Every other public page stays
cookie-free. No third-party captcha: a honeypot field and a limit per client address.
"""

import logging

from axes.helpers import get_client_ip_address
from django.core.cache import cache
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods
from redis import RedisError

from klimaalliance.caching import public_page
from klimaalliance.models import Alliance

from .. import services
from ..forms import JoinForm

logger = logging.getLogger(__name__)

JOIN_WINDOW_SECONDS = 60 * 60
JOIN_REQUESTS_PER_CLIENT = 5  # per JOIN_WINDOW_SECONDS, from one network address


def _count_client_request(ip_address) -> int:
    """Count one more request from `ip_address`; how many it made within the window.
    Without the cache the count is 0 (the form still works)."""
    key = f"join-request:client:{ip_address}"
    try:
        cache.add(key, 0, timeout=JOIN_WINDOW_SECONDS)
        return cache.incr(key)
    except ValueError:  # the window ended between add() and incr()
        cache.set(key, 1, timeout=JOIN_WINDOW_SECONDS)
        return 1
    except RedisError:
        logger.warning("Join requests not counted: the cache is unreachable")
        return 0


@require_http_methods(["GET", "POST"])
def join(request, alliance_slug):
    alliance = get_object_or_404(Alliance, slug=alliance_slug)
    form = JoinForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if _count_client_request(get_client_ip_address(request)) > JOIN_REQUESTS_PER_CLIENT:
            form.is_valid()  # keep what was typed
            form.add_error(
                None,
                _(
                    "We have received many requests from your network address. Please try "
                    "again in an hour, or write to the alliance directly."
                ),
            )
            status = 429
        elif form.is_robot():
            logger.info("Join request refused: the honeypot field was filled in")
            return redirect("join-thanks", alliance.slug)
        elif form.is_valid():
            data = form.cleaned_data
            services.join_request(
                alliance=alliance,
                cvr=data["cvr"],
                company_name=data["company_name"],
                industry=data["industry"],
                contact_name=data["contact_name"],
                email=data["email"],
                phone=data["phone"],
                message=data["message"],
            )
            return redirect("join-thanks", alliance.slug)
    return render(
        request, "companies/join_form.html", {"alliance": alliance, "form": form}, status=status
    )


@require_GET
@public_page
def join_thanks(request, alliance_slug):
    alliance = get_object_or_404(Alliance, slug=alliance_slug)
    return render(request, "companies/join_thanks.html", {"alliance": alliance})
