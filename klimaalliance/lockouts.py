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

# lower() leaves the Turkish dotless "ı" alone and turns "İ" into "i" + U+0307.
_TURKISH_I = str.maketrans({"ı": "i", "\u0307": None})


def lockout_key(email) -> str:
    """What failed sign-ins with `email` count against.

    The address as sign-in looks it up (`User.objects.sign_in_email`: NFKC, trimmed,
    lower-cased), so "Anna@X.dk " gets no fresh tries, and every address that can reach an
    account counts against that account's key. Dotless and dotted i's count as "i" as
    well: sign-in refuses them as a stand-in for "i", so trying them only adds to the
    count of the ASCII address."""
    return User.objects.sign_in_email(email).translate(_TURKISH_I)


def _typed_username(request, credentials):
    if credentials:
        return credentials.get(settings.AXES_USERNAME_FORM_FIELD)
    return request.POST.get(settings.AXES_USERNAME_FORM_FIELD)


def lockout_username(request, credentials=None):
    """django-axes' key of an attempt (AXES_USERNAME_CALLABLE): `lockout_key`."""
    value = _typed_username(request, credentials)
    return lockout_key(value) if value else value


def lockout_response(request, original_response=None, credentials=None):
    """The page for a locked-out sign-in: HTTP 429 with what happened and what to do."""
    minutes = math.ceil(settings.AXES_COOLOFF_TIME.total_seconds() / 60)
    context = {
        "email": User.objects.sign_in_email(_typed_username(request, credentials) or ""),
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
    return reset(username=lockout_key(email))
