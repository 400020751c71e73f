"""Locked-out sign-ins (django-axes): how an attempt is keyed, the page a locked-out visitor
sees, which lockouts an alliance's staff may see, and unlocking.

The limits themselves are settings (AXES_* in klimaalliance/settings/base.py).
"""

import math

from axes.models import AccessAttempt
from axes.utils import reset
from django.conf import settings
from django.db.models import Max, Q, Sum
from django.shortcuts import render
from django.utils import timezone

from .models import User


def lockout_username(request, credentials=None):
    """The account an attempt counts against: the e-mail as typed, trimmed and lower-cased,
    the way accounts are stored, so "Anna@X.dk " does not get five fresh tries."""
    if credentials:
        value = credentials.get(settings.AXES_USERNAME_FORM_FIELD)
    else:
        value = request.POST.get(settings.AXES_USERNAME_FORM_FIELD)
    if not value:
        return value
    return str(value).strip().lower()


def lockout_response(request, original_response=None, credentials=None):
    """The page for a locked-out sign-in: HTTP 429 with what happened and what to do."""
    minutes = math.ceil(settings.AXES_COOLOFF_TIME.total_seconds() / 60)
    context = {
        "email": lockout_username(request, credentials) or "",
        "failure_limit": settings.AXES_FAILURE_LIMIT,
        "minutes": minutes,
    }
    return render(request, "registration/locked_out.html", context, status=429)


def alliance_people(alliance):
    """The accounts an alliance's staff answer for: its staff and the representatives of
    its member companies."""
    staff = Q(staff_roles__alliance=alliance)
    representatives = Q(representations__company__memberships__alliance=alliance)
    return User.objects.filter(staff | representatives).distinct()


def locked_accounts(*, alliance=None):
    """E-mail addresses locked out right now from at least one address, newest first, each
    with `email`, `failures` and `locked_until`; only the alliance's people if given."""
    now = timezone.now()
    attempts = AccessAttempt.objects.filter(attempt_time__gte=now - settings.AXES_COOLOFF_TIME)
    if alliance is not None:
        attempts = attempts.filter(username__in=alliance_people(alliance).values("email"))
    pairs = (
        attempts.values("username", "ip_address")
        .annotate(failures=Sum("failures_since_start"), last=Max("attempt_time"))
        .filter(failures__gte=settings.AXES_FAILURE_LIMIT)
        .order_by()
    )
    accounts = {}
    for pair in pairs:
        account = accounts.setdefault(
            pair["username"], {"email": pair["username"], "failures": 0, "last": pair["last"]}
        )
        account["failures"] += pair["failures"]
        account["last"] = max(account["last"], pair["last"])
    for account in accounts.values():
        account["locked_until"] = account["last"] + settings.AXES_COOLOFF_TIME
    return sorted(accounts.values(), key=lambda account: account["last"], reverse=True)


def account_unlock(*, email) -> int:
    """Forget the failed sign-ins of `email` from every address, so it can sign in at once.

    Returns how many attempt records were removed (0 if the account was not locked)."""
    return reset(username=email.strip().lower())
