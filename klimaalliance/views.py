from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

from . import health, two_factor
from .celery import app as celery_app
from .models import WorkerHeartbeat
from .permissions import platform_staff_required


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
