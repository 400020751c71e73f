"""The alliance's emissions at a glance, its charts as SVG and its figures as CSV/XLSX.

Staff pages live under /<alliance>/staff/emissions/ and reach companies only through
`_member` (scoped to the request's alliance); a representative's chart goes through
`_own_company`; the public chart shows only a publishing partner's approved years.
"""

import csv
import html
import io

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from companies import access
from companies.models import Company
from klimaalliance.caching import public_page
from klimaalliance.filenames import attachment
from klimaalliance.models import Alliance
from klimaalliance.numbers import number_formatter
from klimaalliance.permissions import alliance_staff_required
from partnerships.models import Agreement, Pledge
from partnerships.selectors import public_partners

from .. import charts, exports, figures, reporting, selectors
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
    and a page of members: the same number of queries for 3 members or 5,000, the
    alliance's figures read from the row `emissions.figures` keeps."""
    alliance = request.alliance
    latest_round = selectors.latest_round(alliance)
    kept = figures.current(alliance)
    headline = kept.headline
    rows = selectors.company_rows(
        alliance, latest_round_id=latest_round.pk if latest_round else None
    )
    paginator = Paginator(rows.values(*ROW_FIELDS), PAGE_SIZE)
    paginator.count = headline.members  # counted already; saves counting them again
    page = paginator.get_page(request.GET.get("page"))
    chart = charts.alliance_chart(alliance, years=kept.years, headline=headline)
    context = {
        "alliance": alliance,
        "headline": headline,
        "pledges": kept.pledges,
        "latest_round": latest_round,
        "chart": chart,
        "page": page,
        "rows": member_rows(page.object_list, alliance),
    }
    return render(request, "emissions/dashboard.html", context)


ROW_FIELDS = (
    "pk",
    "legal_name",
    "display_name",
    "industry",
    "baseline_year",
    "baseline_t",
    "latest_year",
    "latest_t",
    "report_status",
)


def member_rows(rows, alliance) -> list[dict]:
    """The page's members (`ROW_FIELDS` dicts) as table rows whose cells are ready to
    print: HTML-escaped here (or our own digits), so the template only places them. The
    URLs come from one reverse() each, the translations are looked up once per page and
    the numbers go through one formatter: 50 rows cost string formatting, not some 1,500
    template lookups."""
    detail_url = _url_pattern("companies:company-detail", alliance.slug)
    chart_url = _url_pattern("emissions:company-chart", alliance.slug)
    chart_label = _('Chart<span class="visually-hidden"> of %(company)s</span>')
    one_decimal = number_formatter(1)
    industries = _labels(Company._meta.get_field("industry").flatchoices)
    reports = _labels(Report.Status.choices)
    dash = mark_safe("–")

    def amount(tonnes, year):
        return dash if tonnes is None else _ours(f"{one_decimal(tonnes)} t ({year})")

    table = []
    for row in rows:
        pk, name = row["pk"], html.escape(row["display_name"] or row["legal_name"])
        change = _change(row["baseline_t"], row["latest_t"])
        table.append(
            {
                "name": _ours(name),
                "detail_url": _ours(detail_url.format(pk)),
                "chart_url": _ours(chart_url.format(pk)),
                "chart_label": _ours(chart_label % {"company": name}),
                "industry": industries.get(row["industry"], row["industry"]),
                "baseline": amount(row["baseline_t"], row["baseline_year"]),
                "latest": amount(row["latest_t"], row["latest_year"]),
                "change": dash if change is None else _ours(f"{one_decimal(change)} %"),
                "report": reports.get(row["report_status"], dash),
            }
        )
    return table


_PK = 987654321  # stands for a member's pk in a reversed URL; no alliance slug holds it


def _url_pattern(name, slug) -> str:
    """The URL `name` of a member of the alliance, escaped, as a str.format() pattern for
    its pk."""
    return html.escape(reverse(name, args=[slug, _PK])).replace(str(_PK), "{}")


def _ours(text: str) -> str:
    """`text` built here from escaped parts, our own msgids and our number formatter's
    digits and separators: printed as it is (mark_safe() and format_html() cost more per
    cell, for laziness and escaping no value here needs)."""
    return SafeString(text)


def _labels(choices) -> dict:
    """Choice labels translated and escaped once for the page (a lazy label translates
    each time it is printed)."""
    return {value: _ours(html.escape(str(label))) for value, label in choices}


def _change(before, after):
    if before is None or after is None or not before:
        return None
    return (after - before) / before * 100


# --- Charts ------------------------------------------------------------------------------------


@require_GET
@alliance_staff_required
def alliance_chart(request):
    kept = figures.current(request.alliance)
    chart = charts.alliance_chart(request.alliance, years=kept.years, headline=kept.headline)
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
