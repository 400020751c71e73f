"""Pages that combine several apps: the national overview, an alliance's front page, the
staff dashboard and the privacy page."""

import datetime

from django.conf import settings
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import Truncator
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from companies.models import Dialogue, Invitation, Membership, Story
from companies.selectors import status_counts
from companies.views.stories import published as published_stories
from emissions import charts
from emissions.public import alliance_progress, public_progress
from emissions.views.dashboard import svg_response
from klimaalliance.caching import public_page
from klimaalliance.links import RowLinks
from klimaalliance.models import Alliance
from klimaalliance.permissions import alliance_staff_required
from klimaalliance.private_pages import private_page
from klimaalliance.views import contact_alliances
from network.views.events import upcoming as upcoming_events
from partnerships.models import Agreement
from partnerships.public import alliance_figures, partner_counts, pledged_reduction
from partnerships.selectors import public_partners, with_public_agreements


@require_GET
@public_page
def home(request):
    """National overview: every alliance on the installation with its key figures."""
    alliances = list(
        Alliance.objects.annotate(**partner_counts()).prefetch_related("targets").order_by("name")
    )
    per_alliance, national = public_progress(alliances)
    for alliance, progress in zip(alliances, per_alliance, strict=True):
        alliance.progress = progress
    return render(
        request,
        "portal/home.html",
        {
            "alliances": alliances,
            "pledged": pledged_reduction(),
            "progress": national,
            "chart": charts.public_chart(national, _("all alliances")),
        },
    )


@require_GET
@public_page
def progress_chart(request):
    """The national progress chart (emissions.public) as SVG."""
    _per_alliance, national = public_progress(Alliance.objects.all())
    chart = charts.public_chart(national, _("all alliances"))
    return _public_svg(charts.alliance_svg(chart, get_language()))


@require_GET
@public_page
def alliance_progress_chart(request, alliance_slug):
    """An alliance's progress chart (emissions.public) as SVG."""
    alliance = get_object_or_404(Alliance.objects.prefetch_related("targets"), slug=alliance_slug)
    chart = charts.public_chart(alliance_progress(alliance), alliance.name)
    return _public_svg(charts.alliance_svg(chart, get_language()))


def _public_svg(svg):
    response = svg_response(svg)
    response["Cache-Control"] = "public, max-age=300"
    return response


@require_GET
@public_page
def alliance_detail(request, alliance_slug):
    alliance = get_object_or_404(
        Alliance.objects.prefetch_related("targets").select_related("published_results"),
        slug=alliance_slug,
    )
    request.alliance = alliance
    newest = public_partners(alliance, sort="-signed")[:6]
    progress = alliance_progress(alliance)
    context = {
        "alliance": alliance,
        "targets": alliance.targets.all(),
        "progress": progress,
        "chart": charts.public_chart(progress, alliance.name),
        "figures": alliance_figures(alliance),
        "newest": with_public_agreements(newest, alliance),
        "stories": published_stories(alliance)[:3],
        "events": upcoming_events(alliance)[:3],
        "description": alliance.description_in(request.LANGUAGE_CODE),
        # Reverse one-to-one, read by select_related: an alliance without one has None.
        "results": getattr(alliance, "published_results", None),
    }
    return render(request, "portal/alliance_detail.html", context)


@alliance_staff_required
@private_page
def staff_dashboard(request):
    alliance = request.alliance
    counts = status_counts(alliance)
    by_status = [(value, label, counts.get(value, 0)) for value, label in Membership.Status.choices]
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
        "status_counts": by_status,
        "agreements": agreements,
        "pending_stories": Story.objects.filter(
            alliance=alliance, status=Story.Status.SUBMITTED
        ).count(),
        "follow_ups": _follow_up_rows(follow_ups, alliance, today),
    }
    return render(request, "portal/staff_dashboard.html", context)


def _follow_up_rows(dialogues, alliance, today) -> list[dict]:
    """The dashboard's follow-ups ready to print: addresses reversed once, dates formatted
    once each (per-row `{% url %}` and filters were most of the page's cost)."""
    link = RowLinks()
    dates = {}
    rows = []
    for dialogue in dialogues:
        due = dialogue.follow_up_on
        if due not in dates:
            dates[due] = date_format(due, "DATE_FORMAT")
        rows.append(
            {
                "due": dates[due],
                "overdue": due < today,
                "company": dialogue.company.name,
                "company_url": link("companies:company-detail", alliance.slug, dialogue.company_id),
                "summary": Truncator(dialogue.summary).words(20, truncate=" …"),
                "done_url": link(
                    "companies:dialogue-done",
                    alliance.slug,
                    dialogue.company_id,
                    dialogue.pk,
                    ids=2,
                ),
            }
        )
    return rows


@require_GET
def privacy(request):
    context = {
        "session_hours": settings.SESSION_COOKIE_AGE // 3600,
        "invitation_days": Invitation.INVITATION_DAYS,
        "contact_alliances": contact_alliances(),
    }
    return render(request, "portal/privacy.html", context)
