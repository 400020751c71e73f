"""Sign-in protection pages: the second factor (code, set-up, turning it off), the staff
page that unlocks locked-out accounts and the request for a password reset link. The rules
live in two_factor.py and lockouts.py.
"""

import logging
from datetime import timedelta
from urllib.parse import urlencode

from axes.helpers import get_client_ip_address
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST
from redis import RedisError

from . import lockouts, outbox, tasks, two_factor
from .forms import CodeForm, UnlockForm
from .models import OutboxMessage, User
from .permissions import alliance_staff_required

logger = logging.getLogger(__name__)


def _next_url(request):
    """Where to go once the second factor is passed: `next` if it is ours, else the user's
    start page."""
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return reverse("after-login")


@require_http_methods(["GET", "POST"])
@never_cache
@sensitive_post_parameters("token")
@login_required
def two_factor_verify(request):
    """The second step of signing in: the code from the user's authenticator app."""
    next_url = _next_url(request)
    step = two_factor.pending_step(request, fresh=True)
    if step is None:
        return redirect(next_url)
    if step == two_factor.SETUP:
        return redirect(f"{reverse(two_factor.SETUP)}?{urlencode({'next': next_url})}")
    device = two_factor.confirmed_device(request.user)
    form = CodeForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        try:
            two_factor.device_verify(
                request=request, device=device, token=form.cleaned_data["token"]
            )
        except two_factor.CodeRefused as error:
            form.add_error("token", str(error))
        else:
            return redirect(next_url)
    return render(request, "registration/two_factor_verify.html", {"form": form, "next": next_url})


@require_http_methods(["GET", "POST"])
@never_cache
@sensitive_post_parameters("token")
@login_required
def two_factor_setup(request):
    """Connect an authenticator app: scan the QR code (or type the secret), confirm a code.

    Required for staff before anything else; optional for representatives (from My account).
    """
    next_url = _next_url(request)
    if two_factor.confirmed_device(request.user) is not None:
        return redirect(next_url if request.user.is_verified() else reverse(two_factor.VERIFY))
    device = two_factor.device_for_setup(user=request.user)
    form = CodeForm(request.POST if request.method == "POST" else None)
    # The instructions and the QR code come first on this page: start reading there.
    form.fields["token"].widget.attrs.pop("autofocus", None)
    if form.is_valid():
        try:
            two_factor.device_confirm(
                request=request, device=device, token=form.cleaned_data["token"]
            )
        except two_factor.CodeRefused as error:
            form.add_error("token", str(error))
        else:
            messages.success(
                request,
                _(
                    "Two-factor sign-in is on. From now on you enter a code from the app when "
                    "you sign in."
                ),
            )
            return redirect(next_url)
    context = {
        "form": form,
        "next": next_url,
        "required": two_factor.second_factor_required(request.user),
        "qr_code": two_factor.qr_code_svg(device),
        "secret": two_factor.secret_text(device),
    }
    return render(request, "registration/two_factor_setup.html", context)


@require_http_methods(["GET", "POST"])
@never_cache
@sensitive_post_parameters("token")
@login_required
def two_factor_disable(request):
    """A representative turns the optional second factor off, with a current code."""
    if two_factor.second_factor_required(request.user):
        raise PermissionDenied
    device = two_factor.confirmed_device(request.user)
    if device is None:
        return redirect("my-account")
    form = CodeForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        try:
            two_factor.device_remove(
                request=request, device=device, token=form.cleaned_data["token"]
            )
        except two_factor.CodeRefused as error:
            form.add_error("token", str(error))
        else:
            messages.success(request, _("Two-factor sign-in is off."))
            return redirect("my-account")
    return render(request, "registration/two_factor_disable.html", {"form": form})


@alliance_staff_required
def lockout_list(request):
    """Accounts of this alliance's people that are locked out after failed sign-ins."""
    context = {
        "alliance": request.alliance,
        "accounts": lockouts.locked_accounts(alliance=request.alliance),
        "failure_limit": settings.AXES_FAILURE_LIMIT,
    }
    return render(request, "klimaalliance/lockout_list.html", context)


@require_POST
@alliance_staff_required
def lockout_unlock(request):
    form = UnlockForm(request.POST)
    if not form.is_valid():
        raise Http404
    email = form.cleaned_data["email"].lower()
    if not lockouts.alliance_people(request.alliance).filter(email=email).exists():
        raise Http404
    if lockouts.account_unlock(email=email):
        messages.success(request, _("%(email)s can sign in again.") % {"email": email})
    else:
        messages.info(request, _("%(email)s was not locked out.") % {"email": email})
    return redirect("staff-lockouts", alliance_slug=request.alliance.slug)


# --- Password reset ------------------------------------------------------------------------

RESET_WINDOW = timedelta(hours=1)
RESET_MAILS_PER_ADDRESS = 3  # per RESET_WINDOW
RESET_REQUESTS_PER_CLIENT = 20  # per RESET_WINDOW, from one network address


class PasswordResetView(auth_views.PasswordResetView):
    """Ask for a link to choose a new password: the same page and the same work for any
    address, so neither the answer nor its timing tells whether an account exists.

    The request only queues `tasks.send_password_reset` through the outbox; the worker
    looks the account up and sends the mail. Beyond RESET_MAILS_PER_ADDRESS requests for
    one address, or RESET_REQUESTS_PER_CLIENT from one network address, within the hour,
    nothing more is queued and the page stays the same."""

    def form_valid(self, form):
        email = User.objects.sign_in_email(form.cleaned_data["email"])
        client_requests = _count_client_request(get_client_ip_address(self.request))
        if client_requests > RESET_REQUESTS_PER_CLIENT:
            logger.warning("Password reset refused: too many requests from one address")
        elif _recent_resets(email) >= RESET_MAILS_PER_ADDRESS:
            logger.warning("Password reset refused: too many requests for one e-mail address")
        else:
            outbox.enqueue(tasks.send_password_reset, email, get_language())
        return HttpResponseRedirect(self.get_success_url())


def _recent_resets(email) -> int:
    """Reset mails queued for `email` within the window, whether its account exists or not
    (the outbox keeps sent messages for 30 days)."""
    return OutboxMessage.objects.filter(
        task=tasks.send_password_reset.name,
        created_at__gte=timezone.now() - RESET_WINDOW,
        args__0=email,
    ).count()


def _count_client_request(ip_address) -> int:
    """Count one more reset request from `ip_address` in the cache; how many it made within
    the window. Without the cache the count is 0: the limit per address still holds."""
    key = f"password-reset:client:{ip_address}"
    timeout = int(RESET_WINDOW.total_seconds())
    try:
        cache.add(key, 0, timeout=timeout)
        return cache.incr(key)
    except ValueError:  # the window ended between add() and incr()
        cache.set(key, 1, timeout=timeout)
        return 1
    except RedisError:
        logger.warning("Password reset requests not counted: the cache is unreachable")
        return 0
