"""Public pages: the partner list, a partner's profile and the embeddable list.

Anonymous visitors get no cookie here (GET forms only) and pages are cached until the
data behind them changes (`klimaalliance.caching.public_page`).
"""

from csp.decorators import csp_replace
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.http import require_GET

from companies.industries import Industry
from emissions import charts
from emissions.progress import latest_progress
from klimaalliance.caching import public_page
from klimaalliance.models import Alliance
from klimaalliance.search import search_words
from network.models import WorkingGroup
from partnerships.filters import PartnerFilter
from partnerships.selectors import public_partners, with_public_agreements

PAGE_SIZE = 24


def _alliance(request, alliance_slug):
    alliance = get_object_or_404(Alliance, slug=alliance_slug)
    request.alliance = alliance
    return alliance


def _filtered_partners(alliance, params):
    """Partners matching the query string; invalid values are reported on the filter form and
    ignored, never an error. Returns (partners, bound filter form)."""
    partners = PartnerFilter(params, alliance=alliance)
    _industries_in_use(partners.form.fields["industry"], alliance)
    return with_public_agreements(partners.qs, alliance), partners.form


def _industries_in_use(field, alliance):
    """Offer only the industries the alliance's partners are in, each with its count (one
    query). A value not offered is ignored like any other invalid filter value."""
    counts = dict(
        public_partners(alliance)
        .order_by()
        .values_list("industry")
        .annotate(n=Count("pk"))
        .values_list("industry", "n")
    )
    field.choices = [("", field.choices[0][1])] + [
        (code, f"{label} ({counts[code]})") for code, label in Industry.choices if code in counts
    ]


@require_GET
@public_page
def partner_list(request, alliance_slug):
    alliance = _alliance(request, alliance_slug)
    partners, form = _filtered_partners(alliance, request.GET)
    page = Paginator(partners, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    terms = getattr(form, "cleaned_data", {})
    searched = any(terms.get(name) for name in ("industry", "focus", "form")) or bool(
        search_words(terms.get("q") or "")
    )
    context = {
        "alliance": alliance,
        "page": page,
        "filter_form": form,
        "query": query.urlencode(),
        "searched": searched,
    }
    template = "partnerships/partner_list.html"
    if request.headers.get("HX-Request"):
        template = "partnerships/_partner_results.html"
    return render(request, template, context)


@require_GET
@public_page
def partner_detail(request, alliance_slug, cvr):
    alliance = _alliance(request, alliance_slug)
    if not (len(cvr) == 8 and cvr.isascii() and cvr.isdigit()):
        raise Http404  # e.g. a NUL byte, which PostgreSQL refuses in a query (a 500)
    partners = with_public_agreements(public_partners(alliance), alliance)
    company = get_object_or_404(partners, cvr=cvr)
    agreement = company.public_agreements[0]
    context = {
        "alliance": alliance,
        "company": company,
        "agreement": agreement,
        "pledges": agreement.pledges.all(),
        "description": company.description_in(request.LANGUAGE_CODE),
        "groups": WorkingGroup.objects.filter(
            alliance=alliance, members__company=company, members__left_on__isnull=True
        ),
    }
    if company.publishes_figures:
        # Only what the company chose to publish: public pledges, approved years.
        public_pledges = [p for p in context["pledges"] if p.is_public]
        context["pledge_progress"] = latest_progress(public_pledges)
        context["chart"] = charts.company_chart(company, pledges=public_pledges, approved_only=True)
    return render(request, "partnerships/partner_detail.html", context)


@require_GET
@xframe_options_exempt
@csp_replace({"frame-ancestors": ["*"]})
@public_page
def partner_embed(request, alliance_slug):
    """A compact list for the municipality's own website, in an iframe."""
    alliance = _alliance(request, alliance_slug)
    partners, _form = _filtered_partners(alliance, {"sort": "name"})
    return render(
        request, "partnerships/partner_embed.html", {"alliance": alliance, "partners": partners}
    )
