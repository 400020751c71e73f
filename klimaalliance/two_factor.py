"""The second factor at sign-in: a time-based one-time password (TOTP, django-otp).

The rule: municipal staff (anyone with a `StaffRole`) and platform administrators
(`is_staff` / `is_superuser`) must pass a second factor; a representative may turn it on and
must then pass it too. Until a signed-in user who needs it has passed it,
`SecondFactorMiddleware` sends every request to the code page (or, without an app yet, to the
set-up page), so no page of the portal or the admin is reachable with the password alone.
`alliance_staff_required`, `platform_staff_required` and the admin site check again.

"Passed" is django-otp's session marker (`django_otp.login`), read by its `OTPMiddleware`
into `request.user.is_verified()`.
"""

import math
from base64 import b32encode
from urllib.parse import urlencode

import django_otp
import qrcode
import qrcode.image.svg
from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.middleware.csrf import rotate_token
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django_otp.plugins.otp_totp.models import TOTPDevice

from .models import StaffRole, User

VERIFY = "two-factor-verify"
SETUP = "two-factor-setup"
OWED_SESSION_KEY = "second_factor_owed"

# Pages a half-signed-in user may still reach: the second-factor pages themselves, logging
# out, and addresses that never look at the session.
EXEMPT_URL_NAMES = frozenset({VERIFY, SETUP, "logout", "healthz", "robots-txt", "sitemap", "media"})
EXEMPT_NAMESPACES = frozenset({"api"})

# A fixed secret for the demo staff of `seed_demo`, only ever used with DEBUG on, so that
# `make run` works with any authenticator app. Base32: NNWGS3LBMFWGY2LBNZRWKLLEMVWW6IJA
DEMO_TOTP_KEY = b"klimaalliance-demo! ".hex()


class CodeRefused(Exception):
    """The code was wrong, or came too soon after wrong ones. `str()` is the user's message."""


# --- Who needs what ------------------------------------------------------------------------


def second_factor_required(user) -> bool:
    """Staff of an alliance and platform administrators must use a second factor."""
    if user.is_superuser or user.is_staff:
        return True
    return user.staff_roles.exists()


def confirmed_device(user) -> TOTPDevice | None:
    return TOTPDevice.objects.devices_for_user(user, confirmed=True).first()


def owed_step(user) -> str:
    """`VERIFY`, `SETUP` or "" (nothing owed) for `user`, from the database (one query)."""
    state = (
        User.objects.filter(pk=user.pk)
        .annotate(
            has_device=Exists(TOTPDevice.objects.filter(user=OuterRef("pk"), confirmed=True)),
            is_alliance_staff=Exists(StaffRole.objects.filter(user=OuterRef("pk"))),
        )
        .values("has_device", "is_alliance_staff")
        .first()
    )
    if state is None:
        return ""
    if state["has_device"]:
        return VERIFY
    if state["is_alliance_staff"] or user.is_staff or user.is_superuser:
        return SETUP
    return ""


def remember_owed_step(sender, request, user, **kwargs):
    """On sign-in (`user_logged_in`): note in the session what the user owes, so that the
    many requests of a representative without an app cost no query for it."""
    session = getattr(request, "session", None)
    if session is not None:
        session[OWED_SESSION_KEY] = owed_step(user)


def pending_step(request, *, fresh=False) -> str | None:
    """`VERIFY` or `SETUP` if the signed-in user still owes the second factor, else None.

    The answer noted in the session at sign-in is used unless `fresh` (the staff pages, the
    admin and the second-factor pages ask afresh, so a staff role granted since sign-in or
    an app removed since counts at once)."""
    user = request.user
    if not user.is_authenticated:
        return None
    is_verified = getattr(user, "is_verified", None)  # set by django-otp's OTPMiddleware
    if is_verified is not None and is_verified():
        return None
    owed = None if fresh else request.session.get(OWED_SESSION_KEY)
    if owed is None:
        owed = owed_step(user)
        request.session[OWED_SESSION_KEY] = owed
    return owed or None


def second_factor_redirect(request, *, fresh=False):
    """A redirect to the step the user still owes (coming back here afterwards), or None."""
    step = pending_step(request, fresh=fresh)
    if step is None:
        return None
    url = reverse(step)
    if request.method == "GET":
        url = f"{url}?{urlencode({'next': request.get_full_path()})}"
    return redirect(url)


class SecondFactorMiddleware:
    """After django-otp's `OTPMiddleware`: nothing but the second-factor pages (and logging
    out) for a signed-in user who owes the second factor."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        match = request.resolver_match
        if match is not None and (
            match.url_name in EXEMPT_URL_NAMES or EXEMPT_NAMESPACES.intersection(match.namespaces)
        ):
            return None
        # The admin asks afresh: its rights can be granted while someone is signed in.
        fresh = "admin" in match.namespaces if match is not None else False
        return second_factor_redirect(request, fresh=fresh)


# --- Devices -------------------------------------------------------------------------------


def device_for_setup(*, user) -> TOTPDevice:
    """The user's unconfirmed authenticator-app device, created on the first visit, so that
    reloading the set-up page keeps showing the same QR code."""
    device = TOTPDevice.objects.devices_for_user(user, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=_("Authenticator app"), confirmed=False)
    return device


def _check(device, token):
    """Verify `token` on `device` (locked against concurrent tries), or raise CodeRefused."""
    allowed, info = device.verify_is_allowed()
    if not allowed:
        seconds = max(1, math.ceil((info["locked_until"] - timezone.now()).total_seconds()))
        raise CodeRefused(
            ngettext(
                "Too many wrong codes. Wait %(seconds)d second and try again.",
                "Too many wrong codes. Wait %(seconds)d seconds and try again.",
                seconds,
            )
            % {"seconds": seconds}
        )
    # verify_token records the failure (the throttle) or the used time step (no replay);
    # the row lock keeps two simultaneous tries from both counting as the first.
    with transaction.atomic():
        locked = TOTPDevice.objects.select_for_update().get(pk=device.pk)
        verified = locked.verify_token(token)
    if not verified:
        raise CodeRefused(
            _(
                "That code is not right. Enter the 6-digit code your authenticator app "
                "shows now, and check that the clock of your phone is correct."
            )
        )
    return locked


def _mark_passed(request, device):
    """Record in the session that the user passed the second factor; a new session key and
    CSRF token, since the session has just gained rights."""
    request.session.cycle_key()
    rotate_token(request)
    django_otp.login(request, device)


def device_verify(*, request, device, token) -> TOTPDevice:
    """Check the code of the user's confirmed device and mark the session as passed.

    Raises CodeRefused (and counts a failure, which throttles the next try) for a wrong code.
    """
    device = _check(device, token)
    _mark_passed(request, device)
    return device


def device_confirm(*, request, device, token) -> TOTPDevice:
    """Confirm a new device with its first code; the session counts as passed."""
    device = _check(device, token)
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    # A confirmed device replaces any older one (one authenticator app per person).
    TOTPDevice.objects.filter(user=device.user).exclude(pk=device.pk).delete()
    _mark_passed(request, device)
    request.session[OWED_SESSION_KEY] = VERIFY
    return device


def device_remove(*, request, device, token) -> None:
    """Turn the optional second factor off after a current code; refuses staff."""
    if second_factor_required(request.user):
        raise CodeRefused(_("Staff and administrators cannot turn two-factor sign-in off."))
    _check(device, token)
    TOTPDevice.objects.filter(user=request.user).delete()
    request.session.pop(django_otp.DEVICE_ID_SESSION_KEY, None)
    request.session[OWED_SESSION_KEY] = ""


def demo_device(*, user) -> TOTPDevice:
    """A confirmed device with the documented demo secret; only with DEBUG on."""
    if not settings.DEBUG:
        raise RuntimeError("The demo TOTP secret is for development (DEBUG) only.")
    device, _ = TOTPDevice.objects.update_or_create(
        user=user, name="Demo", defaults={"key": DEMO_TOTP_KEY, "confirmed": True}
    )
    return device


# --- Presentation --------------------------------------------------------------------------


def secret_text(device) -> str:
    """The secret in base32 groups of four, for typing into an app by hand."""
    secret = b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def qr_code_svg(device):
    """The device's otpauth:// address as an inline SVG QR code.

    qrcode's path image uses presentation attributes only (no `style`, no script), so it
    passes the Content Security Policy; the markup is generated here, never user text.
    """
    image = qrcode.make(
        device.config_url, image_factory=qrcode.image.svg.SvgPathFillImage, box_size=12
    )
    svg = image.to_string(encoding="unicode")
    svg = svg.replace("<svg ", '<svg class="qr-code" aria-hidden="true" focusable="false" ', 1)
    return format_html(
        '<div role="img" aria-label="{}">{}</div>',
        _("QR code for your authenticator app"),
        mark_safe(svg),  # noqa: S308 (generated by qrcode from the device's own address)
    )
