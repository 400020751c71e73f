import datetime

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

from companies.models import Dialogue, Invitation, Membership, Story
from companies.views.stories import published as published_stories
from partnerships.models import Agreement
from partnerships.public import alliance_figures, partner_counts, pledged_reduction
from partnerships.selectors import public_partners, with_public_agreements

from . import health, two_factor
from .caching import public_page
from .celery import app as celery_app
from .models import Alliance, WorkerHeartbeat
from .permissions import alliance_staff_required, platform_staff_required


@require_GET
@public_page
def home(request):
    """National overview: every alliance on the installation with its key figures."""
    alliances = Alliance.objects.annotate(**partner_counts()).prefetch_related("targets")
    return render(
        request,
        "klimaalliance/home.html",
        {"alliances": alliances, "pledged": pledged_reduction()},
    )


@require_GET
@public_page
def alliance_detail(request, alliance_slug):
    alliance = get_object_or_404(Alliance, slug=alliance_slug)
    request.alliance = alliance
    newest = public_partners(alliance, sort="-signed")[:6]
    context = {
        "alliance": alliance,
        "targets": alliance.targets.all(),
        "figures": alliance_figures(alliance),
        "newest": with_public_agreements(newest, alliance),
        "stories": published_stories(alliance)[:3],
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
    agreements = Agreement.objects.filter(alliance=alliance).aggregate(
        awaiting_company=Count("id", filter=Q(status=Agreement.Status.SENT)),
        awaiting_countersignature=Count("id", filter=Q(status=Agreement.Status.SIGNED)),
        renewals=Count(
            "id",
            filter=Q(
                status=Agreement.Status.ACTIVE,
                end_date__lte=today + datetime.timedelta(days=90),
            ),
        ),
    )
    context = {
        "alliance": alliance,
        "status_counts": status_counts,
        "agreements": agreements,
        "pending_stories": Story.objects.filter(
            alliance=alliance, status=Story.Status.SUBMITTED
        ).count(),
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
    context = {
        "representations": representations,
        "second_factor_on": two_factor.confirmed_device(request.user) is not None,
        "second_factor_required": two_factor.second_factor_required(request.user),
    }
    return render(request, "klimaalliance/my_account.html", context)


@require_GET
def accessibility_statement(request):
    return render(request, "klimaalliance/accessibility.html")


@require_GET
def privacy(request):
    context = {
        "session_hours": settings.SESSION_COOKIE_AGE // 3600,
        "invitation_days": Invitation.INVITATION_DAYS,
    }
    return render(request, "klimaalliance/privacy.html", context)


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
