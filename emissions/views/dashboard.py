"""The alliance's emissions at a glance, its charts as SVG and its figures as CSV/XLSX.

Staff pages live under /<alliance>/staff/emissions/ and reach companies only through
`_member` (scoped to the request's alliance); a representative's chart goes through
`_own_company`; the public chart shows only a publishing partner's approved years.
"""

import csv
import io

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from companies import access
from companies.models import Company
from klimaalliance.caching import public_page
from klimaalliance.filenames import attachment
from klimaalliance.models import Alliance
from klimaalliance.permissions import alliance_staff_required
from partnerships.models import Agreement, Pledge
from partnerships.selectors import public_partners

from .. import charts, exports, reporting, selectors
from ..models import Report

PAGE_SIZE = 50


def svg_response(svg: str) -> HttpResponse:
    """The chart as its own image/svg+xml response, under the site's Content Security
    Policy like every other response: the charts are styled with presentation attributes,
    which the policy does not touch, and hold no style, script or reference to load."""
    response = HttpResponse(svg, content_type="image/svg+xml; charset=utf-8")
    response["Cache-Control"] = "private, max-age=60"
    return response


# --- The dashboard -----------------------------------------------------------------------------


@require_GET
@alliance_staff_required
def dashboard(request):
    """Members reporting, baseline against latest, reduction, pledges on track, the chart
    and a page of members: the same number of queries for 3 members or 5,000."""
    alliance = request.alliance
    latest_round = selectors.latest_round(alliance)
    headline = selectors.headline(alliance)
    years = selectors.year_totals(alliance)
    rows = selectors.company_rows(
        alliance, latest_round_id=latest_round.pk if latest_round else None
    )
    paginator = Paginator(rows, PAGE_SIZE)
    paginator.count = headline.members  # counted already; saves counting them again
    page = paginator.get_page(request.GET.get("page"))
    # Labels looked up once: get_industry_display() hashes every choice on each call.
    industries = dict(Company._meta.get_field("industry").flatchoices)
    for row in page.object_list:
        row.change_percent = _change(row.baseline_t, row.latest_t)
        row.report_label = Report.Status(row.report_status).label if row.report_status else ""
        row.industry_label = industries.get(row.industry, row.industry)
    chart = charts.alliance_chart(alliance, years=years, headline=headline)
    context = {
        "alliance": alliance,
        "headline": headline,
        "pledges": selectors.pledge_counts(alliance),
        "latest_round": latest_round,
        "years": years,
        "chart": chart,
        "page": page,
    }
    return render(request, "emissions/dashboard.html", context)


def _change(before, after):
    if before is None or after is None or not before:
        return None
    return (after - before) / before * 100


# --- Charts ------------------------------------------------------------------------------------


@require_GET
@alliance_staff_required
def alliance_chart(request):
    chart = charts.alliance_chart(request.alliance)
    return svg_response(charts.alliance_svg(chart, get_language()))


@require_GET
@alliance_staff_required
def company_chart(request, pk):
    """Staff see a member's approved years (the climate-account pages' rule: no draft a
    representative is still typing), with the target path of its active agreement."""
    company = access.staff_account_company(request, pk)
    pledges = reporting.reportable_pledges(company, request.alliance)
    chart = charts.company_chart(company, pledges=pledges, approved_only=True)
    return svg_response(charts.company_svg(chart, get_language()))


@require_GET
@login_required
def my_company_chart(request, pk):
    """The representative's own company, every year entered so far."""
    company = access.represented_company(request.user, pk)
    pledges = Pledge.objects.filter(
        agreement__company=company, agreement__status=Agreement.Status.ACTIVE
    ).order_by("agreement", "order", "pk")
    chart = charts.company_chart(company, pledges=pledges)
    return svg_response(charts.company_svg(chart, get_language()))


def public_chart_company(alliance, cvr) -> Company:
    """A public partner of the alliance that chose to publish its figures, else 404."""
    return get_object_or_404(public_partners(alliance), cvr=cvr, publishes_figures=True)


@require_GET
@public_page
def public_company_chart(request, alliance_slug, cvr):
    """Only companies that publish their figures, and only years whose report staff
    approved; the target path of a public pledge of its active agreement."""
    if not (len(cvr) == 8 and cvr.isascii() and cvr.isdigit()):
        raise Http404  # e.g. a NUL byte, which PostgreSQL refuses in a query (a 500)
    alliance = get_object_or_404(Alliance, slug=alliance_slug)
    company = public_chart_company(alliance, cvr)
    pledges = Pledge.objects.filter(
        agreement__company=company,
        agreement__alliance=alliance,
        agreement__status=Agreement.Status.ACTIVE,
        is_public=True,
    ).order_by("agreement", "order", "pk")
    chart = charts.company_chart(company, pledges=pledges, approved_only=True)
    response = svg_response(charts.company_svg(chart, get_language()))
    response["Cache-Control"] = "public, max-age=300"
    return response


# --- Exports -----------------------------------------------------------------------------------


class _Echo:
    """A file-like object whose write() returns the line, for a streaming csv.writer."""

    def write(self, value):
        return value


@require_GET
@alliance_staff_required
def export(request, fmt):
    """The alliance's figures per company and year for the DK2020 follow-up: CSV streams
    row by row; XLSX is built in a write-only workbook."""
    alliance = request.alliance
    filename = f"udledning-{alliance.slug}-{timezone.localdate().isoformat()}"
    rows = selectors.export_rows(alliance)
    if fmt == "csv":
        writer = csv.writer(_Echo(), delimiter=exports.CSV_DELIMITER, lineterminator="\r\n")
        response = StreamingHttpResponse(
            exports.csv_lines(writer, rows), content_type="text/csv; charset=utf-8"
        )
    elif fmt == "xlsx":
        buffer = io.BytesIO()
        exports.write_xlsx(buffer, rows, sheet_title=_("Emissions"))
        response = HttpResponse(buffer.getvalue(), content_type=exports.XLSX_TYPE)
    else:
        raise Http404
    response["Content-Disposition"] = attachment(f"{filename}.{fmt}")
    response["Cache-Control"] = "private, no-store"
    return response
