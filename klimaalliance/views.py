import datetime

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

from companies.models import Dialogue, Membership

from . import health
from .celery import app as celery_app
from .models import Alliance, WorkerHeartbeat
from .permissions import alliance_staff_required, platform_staff_required

ACTIVE = Membership.Status.ACTIVE


@require_GET
def home(request):
    """National overview: every alliance on the installation with its key figures."""
    alliances = Alliance.objects.annotate(
        partner_count=Count("memberships", filter=Q(memberships__status=ACTIVE)),
        industry_count=Count(
            "memberships__company__industry", distinct=True, filter=Q(memberships__status=ACTIVE)
        ),
    ).prefetch_related("targets")
    return render(request, "klimaalliance/home.html", {"alliances": alliances})


@require_GET
def alliance_detail(request, alliance_slug):
    alliance = get_object_or_404(Alliance, slug=alliance_slug)
    request.alliance = alliance
    partners = (
        Membership.objects.filter(alliance=alliance, status=ACTIVE)
        .select_related("company")
        .order_by("-joined_on", "company__legal_name")
    )
    context = {
        "alliance": alliance,
        "targets": alliance.targets.all(),
        "partners": partners,
        "description": alliance.description_in(request.LANGUAGE_CODE),
    }
    return render(request, "klimaalliance/alliance_detail.html", context)


@alliance_staff_required
def staff_dashboard(request):
    alliance = request.alliance
    counts = dict(
        Membership.objects.filter(alliance=alliance)
        .values_list("status")
        .annotate(n=Count("id"))
        .values_list("status", "n")
    )
    status_counts = [
        (value, label, counts.get(value, 0)) for value, label in Membership.Status.choices
    ]
    today = timezone.localdate()
    end_of_week = today + datetime.timedelta(days=6 - today.weekday())
    follow_ups = (
        Dialogue.objects.filter(
            alliance=alliance, follow_up_done=False, follow_up_on__lte=end_of_week
        )
        .select_related("company")
        .order_by("follow_up_on")
    )
    context = {
        "alliance": alliance,
        "status_counts": status_counts,
        "follow_ups": follow_ups,
        "today": today,
    }
    return render(request, "klimaalliance/staff_dashboard.html", context)


@login_required
def after_login(request):
    """Send each role to where their work is."""
    role = request.user.staff_roles.select_related("alliance").first()
    if role:
        return redirect("staff-dashboard", alliance_slug=role.alliance.slug)
    if request.user.is_staff:
        return redirect("admin:index")
    representations = list(request.user.representations.values_list("company_id", flat=True)[:2])
    if len(representations) == 1:
        return redirect("my:company-detail", pk=representations[0])
    return redirect("my-account")


@login_required
def my_account(request):
    representations = request.user.representations.select_related("company").prefetch_related(
        "company__memberships__alliance"
    )
    return render(request, "klimaalliance/my_account.html", {"representations": representations})


@require_GET
def accessibility_statement(request):
    return render(request, "klimaalliance/accessibility.html")


@require_GET
def privacy(request):
    return render(request, "klimaalliance/privacy.html")


@require_GET
@cache_control(public=True, max_age=3600)
def robots_txt(request):
    lines = ["User-agent: *", "Disallow: /accounts/", "Disallow: /admin/", "Disallow: /ops/", ""]
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
