import datetime

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control, never_cache
from django.views.decorators.http import require_GET, require_POST

from . import health, notifications, two_factor
from .celery import app as celery_app
from .forms import AllianceContactForm, NotificationPreferenceForm
from .models import WorkerHeartbeat
from .permissions import alliance_staff_required, platform_staff_required


@login_required
def after_login(request):
    """Everyone lands on their start page (settings.START_PAGE, the roof's task list, which
    links on to each role's own pages)."""
    return redirect(settings.START_PAGE)


@login_required
def my_account(request):
    representations = request.user.representations.select_related("company").prefetch_related(
        "company__memberships__alliance"
    )
    context = {
        "representations": representations,
        "second_factor_on": two_factor.confirmed_device(request.user) is not None,
        "second_factor_required": two_factor.second_factor_required(request.user),
        "notification_form": NotificationPreferenceForm(instance=request.user),
    }
    return render(request, "klimaalliance/my_account.html", context)


@never_cache
def notification_preferences_link(request, token):
    """The one-click link in every mail: no sign-in, the signed token names the person.

    GET shows the current choice and a button; only the POST changes it (a mail scanner
    that follows links changes nothing). A tampered link answers 404."""
    user = notifications.user_for_preferences_token(token)
    if user is None:
        raise Http404
    form = NotificationPreferenceForm(request.POST or None, instance=user)
    done = request.method == "POST" and form.is_valid()
    if done:
        form.save()
    return render(
        request, "klimaalliance/notification_preferences.html", {"done": done, "form": form}
    )


@login_required
@require_POST
def notification_preferences(request):
    """The same choice on "My account"."""
    form = NotificationPreferenceForm(request.POST, instance=request.user)
    if form.is_valid():
        form.save()
        messages.success(request, _("Your notification preference is saved."))
    return redirect("my-account")


# Update REVIEWED with each review of the statement (the template of the Danish Agency
# for Digital Government asks for both dates); shown in the reader's date format.
ACCESSIBILITY_STATEMENT_PREPARED = datetime.date(2026, 11, 23)
ACCESSIBILITY_STATEMENT_REVIEWED = datetime.date(2026, 12, 1)


@require_GET
def accessibility_statement(request):
    context = {
        "contact_alliances": contact_alliances(),
        "prepared": ACCESSIBILITY_STATEMENT_PREPARED,
        "reviewed": ACCESSIBILITY_STATEMENT_REVIEWED,
    }
    return render(request, "klimaalliance/accessibility.html", context)


def contact_alliances():
    """Every alliance with the contact its staff set: the accessibility statement and the
    privacy policy name them (one query)."""
    from .models import Alliance

    return list(
        Alliance.objects.order_by("name").only(
            "name", "slug", "contact_name", "contact_email", "contact_phone", "website"
        )
    )


@require_GET
@cache_control(public=True, max_age=3600)
def robots_txt(request):
    lines = [
        "User-agent: *",
        "Disallow: /accounts/",
        "Disallow: /admin/",
        "Disallow: /ops/",
        "Disallow: /my/",
        "Disallow: /*/staff/",
        f"Sitemap: {settings.SITE_URL}/sitemap.xml",
        "",
    ]
    return HttpResponse("\n".join(lines), content_type="text/plain")


@require_GET
@cache_control(no_store=True)
def healthz(request):
    """Database and broker status as JSON; 503 when either is down. Never asks the workers."""
    database = "ok" if health.database_ok() else "down"
    broker = health.broker_status()
    healthy = database == "ok" and broker != "down"
    return JsonResponse({"database": database, "broker": broker}, status=200 if healthy else 503)


@platform_staff_required
def worker_status(request):
    """Ask the Celery workers directly; slow (up to a second), so not part of /healthz."""
    replies = None
    if not settings.CELERY_TASK_ALWAYS_EAGER:
        try:
            replies = celery_app.control.inspect(timeout=1.0).ping() or {}
        except Exception:
            replies = {}
    context = {
        "eager": settings.CELERY_TASK_ALWAYS_EAGER,
        "broker": health.broker_status(),
        "replies": replies,
        "heartbeats": WorkerHeartbeat.objects.all()[:10],
    }
    return render(request, "klimaalliance/worker_status.html", context)


@alliance_staff_required
def alliance_contact(request):
    """The alliance's staff set the contact its public page shows."""
    alliance = request.alliance
    form = AllianceContactForm(request.POST or None, instance=alliance)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("The contact details were saved."))
        return redirect("staff-dashboard", alliance.slug)
    return render(
        request, "klimaalliance/alliance_contact_form.html", {"alliance": alliance, "form": form}
    )
