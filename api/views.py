"""The read-only open data API (/api/v1/).

Who is a partner and what is public comes from `partnerships.selectors`, exactly as on the
public pages. Every endpoint answers in a constant number of queries, errors are JSON with
the right status, and no response sets a cookie.
"""

import csv
import datetime
import io
from collections import defaultdict
from functools import wraps

from django.db.models import Min, Prefetch, Q
from django.http import Http404, HttpResponse, HttpResponsePermanentRedirect, JsonResponse
from django.shortcuts import get_object_or_404
from django.urls import Resolver404, resolve
from django.utils import timezone, translation
from django.views.decorators.csrf import csrf_exempt
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView
from rest_framework import generics, renderers
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response
from rest_framework.reverse import reverse
from rest_framework.views import APIView

from companies.industries import Industry
from emissions.progress import latest_progress
from emissions.public import public_progress
from klimaalliance.choices import FocusArea, PartnershipForm
from klimaalliance.filenames import attachment
from klimaalliance.models import Alliance
from klimaalliance.seal import check_seal
from network.models import (
    AllianceNetwork,
    ChairTerm,
    CommitmentPaper,
    CommitmentSignature,
    GroupDocument,
    GroupMember,
    InspirationCase,
    NetworkEvent,
    NetworkMember,
    WorkingGroup,
)
from partnerships.models import Agreement, Signature
from partnerships.public import partner_counts, public_pledges
from partnerships.selectors import (
    countersigned_agreement_by_pdf,
    public_partners,
    with_public_agreements,
)

from . import filters
from .pagination import ApiPagination, KeysetPagination
from .partner_data import COMPANY_FIELDS, partner_data
from .serializers import (
    AllianceSerializer,
    CommitmentPaperSerializer,
    ErrorSerializer,
    InspirationCaseSerializer,
    NetworkSerializer,
    PartnerSerializer,
    PartnershipFormSerializer,
    PledgeListSerializer,
    ProgressListSerializer,
    ProgressSerializer,
    ProgressYearSerializer,
    ValidationErrorSerializer,
    VerifyErrorSerializer,
    VerifyResultSerializer,
    VerifyUploadSerializer,
    WorkingGroupSerializer,
    YearlyTotalSerializer,
    municipality_signed_at,
)

NOT_FOUND = OpenApiResponse(ErrorSerializer, description='Not found: {"detail": "…"}.')
BAD_REQUEST = OpenApiResponse(
    ValidationErrorSerializer, description="Invalid query parameter: field name → messages."
)
UNKNOWN_ALLIANCE = "No alliance has this slug. See /api/v1/alliances/ for the slugs."


def without_cookies(view):
    """Render the response inside the view so the CSRF token the browsable pages (Swagger,
    DRF's HTML) put in their markup does not make CsrfViewMiddleware set a cookie.

    Nothing in the API accepts a write, so the token is never needed.
    """

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        if callable(getattr(response, "render", None)) and not response.is_rendered:
            response.render()
        if isinstance(response, Response):
            # Rendered, the body is all a copy in the page cache needs; without the data it
            # was rendered from, each cache hit unpickles the body alone (several times
            # cheaper for a page of 100 partners).
            response.data = None
        request.META["CSRF_COOKIE_NEEDS_UPDATE"] = False
        return response

    return wrapped


class OpenDataMixin:
    """Read-only, English by default (?lang=da for Danish labels), JSON errors."""

    http_method_names = ["get", "head", "options"]

    def dispatch(self, request, *args, **kwargs):
        lang = request.GET.get("lang")
        self.language = lang if lang in filters.LANGUAGES else "en"
        with translation.override(self.language):
            return super().dispatch(request, *args, **kwargs)

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        filters.validated(filters.LanguageParams, request)

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        response["Content-Language"] = self.language
        return response

    def alliance_from_query(self, slug):
        if not slug:
            return None
        alliance = Alliance.objects.filter(slug=slug).first()
        if alliance is None:
            raise Http404(UNKNOWN_ALLIANCE)
        return alliance


def with_countersignatures(companies):
    """Also prefetch the municipality's signature of each public agreement."""
    return companies.prefetch_related(
        Prefetch(
            "public_agreements__signatures",
            queryset=Signature.objects.filter(party=Signature.Party.MUNICIPALITY),
            to_attr="municipality_signatures",
        )
    )


# --- Alliances ----------------------------------------------------------------------------


class AllianceQuerysetMixin(OpenDataMixin):
    serializer_class = AllianceSerializer
    lookup_field = "slug"

    def get_queryset(self):
        return (
            Alliance.objects.annotate(partner_count=partner_counts()["partner_count"])
            .prefetch_related("targets")
            .order_by("name", "pk")
        )


@extend_schema_view(
    get=extend_schema(
        summary="All alliances",
        description="Every municipal climate alliance with its climate targets and the "
        "number of partners (companies with an active partnership agreement).",
        parameters=[filters.LANG_PARAM],
        responses={200: AllianceSerializer(many=True), 400: BAD_REQUEST},
    )
)
class AllianceList(AllianceQuerysetMixin, generics.ListAPIView):
    """Every municipal climate alliance."""

    pagination_class = ApiPagination


@extend_schema_view(
    get=extend_schema(
        summary="One alliance",
        parameters=[filters.LANG_PARAM],
        responses={200: AllianceSerializer, 400: BAD_REQUEST, 404: NOT_FOUND},
    )
)
class AllianceDetail(AllianceQuerysetMixin, generics.RetrieveAPIView):
    """One alliance by its slug, with its climate targets and number of partners."""


# --- Partners -----------------------------------------------------------------------------


@extend_schema_view(
    get=extend_schema(
        summary="Partners",
        description="Companies with an active partnership agreement, with their public "
        "pledges. Filtered by `alliance`, only that alliance's agreement is included. Unknown "
        "filter values are a 400 listing the allowed values; an unknown alliance is a 404.",
        parameters=[filters.ALLIANCE_PARAM, filters.LANG_PARAM],
        responses={200: PartnerSerializer(many=True), 400: BAD_REQUEST, 404: NOT_FOUND},
    )
)
class PartnerList(OpenDataMixin, generics.ListAPIView):
    """Companies with an active partnership agreement."""

    serializer_class = PartnerSerializer  # documents the rows partner_data() builds
    pagination_class = KeysetPagination
    # q, industry, focus, form, sort: the public partner page's filters (api/filters.py).
    filter_backends = [filters.AllianceFilterBackend]
    filterset_class = filters.PartnerFilter
    alliance = None  # the alliance of ?alliance=, set by get_queryset()

    def get_queryset(self):
        params = filters.validated(filters.AllianceParams, self.request)
        self.alliance = self.alliance_from_query(params.get("alliance"))
        return public_partners(self.alliance)

    def list(self, request, *args, **kwargs):
        companies = self.filter_queryset(self.get_queryset()).values(*COMPANY_FIELDS)
        page = self.paginate_queryset(companies)
        return self.get_paginated_response(partner_data(page, self.alliance, request))


@extend_schema_view(
    get=extend_schema(
        summary="One partner",
        description="A company with an active partnership agreement; any other CVR number "
        "is a 404.",
        parameters=[
            OpenApiParameter("cvr", OpenApiTypes.STR, OpenApiParameter.PATH, pattern=r"^\d{8}$"),
            filters.LANG_PARAM,
        ],
        responses={200: PartnerSerializer, 400: BAD_REQUEST, 404: NOT_FOUND},
    )
)
class PartnerDetail(OpenDataMixin, generics.RetrieveAPIView):
    """One partner by its CVR number."""

    serializer_class = PartnerSerializer  # documents the row partner_data() builds

    def retrieve(self, request, *args, **kwargs):
        cvr = self.kwargs["cvr"]
        if not (len(cvr) == 8 and cvr.isascii() and cvr.isdigit()):
            raise Http404("A CVR number is 8 digits.")
        company = public_partners().filter(cvr=cvr).values(*COMPANY_FIELDS).first()
        if company is None:
            raise Http404("No partner has this CVR number.")
        return Response(partner_data([company], None, request)[0])


# --- Pledges ------------------------------------------------------------------------------


@extend_schema_view(
    get=extend_schema(
        summary="Public pledges",
        description="Every public pledge of an active agreement, with its company and "
        "alliance. Pledges a company keeps private and pledges of drafts, expired or "
        "terminated agreements are never included.",
        parameters=[filters.ALLIANCE_PARAM, filters.LANG_PARAM],
        responses={200: PledgeListSerializer(many=True), 400: BAD_REQUEST, 404: NOT_FOUND},
    )
)
class PledgeList(OpenDataMixin, generics.ListAPIView):
    """Public pledges of active agreements."""

    serializer_class = PledgeListSerializer
    pagination_class = ApiPagination
    filter_backends = [DjangoFilterBackend]
    filterset_class = filters.PledgeFilter  # focus, cvr

    def get_queryset(self):
        params = filters.validated(filters.AllianceParams, self.request)
        alliance = self.alliance_from_query(params.get("alliance"))
        pledges = public_pledges(alliance).select_related(
            "agreement__company", "agreement__alliance"
        )
        return pledges.order_by(
            "agreement__alliance__slug", "agreement__company__legal_name", "order", "pk"
        )

    def get_serializer(self, *args, **kwargs):
        """A page of pledges, each with its progress when its company publishes figures
        (as on the partner page): two more queries a page."""
        if kwargs.get("many") and args:
            pledges = list(args[0])
            publishing = [p for p in pledges if p.agreement.company.publishes_figures]
            context = self.get_serializer_context()
            context["progress"] = {row.pledge.pk: row for row in latest_progress(publishing)}
            kwargs["context"] = context
            args = (pledges, *args[1:])
        return super().get_serializer(*args, **kwargs)


# --- Yearly totals ------------------------------------------------------------------------

SEALED = [
    Agreement.Status.ACTIVE,
    Agreement.Status.EXPIRED,
    Agreement.Status.TERMINATED,
    Agreement.Status.SUPERSEDED,
]


def _local_date(moment):
    return timezone.localtime(moment).date() if moment else None


def yearly_totals(alliances, today=None):
    """Per alliance and year: partners who joined, and partners with an agreement in force
    on 31 December (for the current year: today, i.e. the active agreements).

    Two queries whatever the number of alliances and agreements.
    """
    today = today or timezone.localdate()
    alliances = list(alliances)
    municipality = Q(signatures__party=Signature.Party.MUNICIPALITY)
    rows = (
        Agreement.objects.filter(alliance__in=alliances, status__in=SEALED)
        .annotate(
            countersigned_at=Min("signatures__signed_at", filter=municipality),
            replaced_at=Min(
                "amendment__signatures__signed_at",
                filter=Q(amendment__signatures__party=Signature.Party.MUNICIPALITY),
            ),
        )
        .values(
            "alliance_id",
            "company_id",
            "status",
            "start_date",
            "end_date",
            "terminated_on",
            "countersigned_at",
            "replaced_at",
        )
    )
    by_alliance = defaultdict(list)
    for row in rows:
        row["joined"] = _local_date(row["countersigned_at"]) or row["start_date"]
        row["until"] = min(
            d
            for d in (row["end_date"], row["terminated_on"], _local_date(row["replaced_at"]))
            if d is not None
        )
        by_alliance[row["alliance_id"]].append(row)

    emissions = published_emissions(alliances)
    totals = []
    for alliance in alliances:
        agreements = by_alliance.get(alliance.pk, [])
        first_joined = {}
        for row in agreements:
            company = row["company_id"]
            if company not in first_joined or row["joined"] < first_joined[company]:
                first_joined[company] = row["joined"]
        years = [d.year for d in first_joined.values() if d.year <= today.year]
        years += [year for (pk, year) in emissions if pk == alliance.pk]  # reported earlier
        for year in range(min(years, default=today.year), today.year + 1):
            if year == today.year:
                active = {r["company_id"] for r in agreements if r["status"] == "active"}
            else:
                year_end = datetime.date(year, 12, 31)
                active = {
                    r["company_id"] for r in agreements if r["joined"] <= year_end < r["until"]
                }
            totals.append(
                {
                    "alliance": alliance.slug,
                    "year": year,
                    "partners_joined": sum(1 for d in first_joined.values() if d.year == year),
                    "active_partners": len(active),
                    **emissions.get((alliance.pk, year), NO_EMISSIONS),
                }
            )
    return totals


NO_EMISSIONS = {"reporting_partners": 0, "emissions_t": None}


def published_emissions(alliances):
    """{(alliance id, year): reporting partners and their summed total}: the public progress
    (emissions.public), so the totals equal the pages' and /api/v1/progress/."""
    per_alliance, _national = public_progress(alliances)
    return {
        (progress.alliance.pk, row.year): {
            "reporting_partners": row.companies,
            "emissions_t": row.total_location_t,
        }
        for progress in per_alliance
        for row in progress.years
    }


@extend_schema_view(
    get=extend_schema(
        summary="Yearly public totals",
        description="Per alliance and year, from the first partner's year to this year: how "
        "many companies became partners (their first agreement was countersigned that year) "
        "and how many had an agreement in force at the end of the year (this year: today). "
        "Emissions: the summed location-based totals (tonnes CO2e, scopes 1-3) of the partners "
        "whose report for the year is approved and who publish their figures, and how many "
        "they are; null when none has.",
        parameters=[filters.ALLIANCE_PARAM, filters.LANG_PARAM],
        responses={200: YearlyTotalSerializer(many=True), 400: BAD_REQUEST, 404: NOT_FOUND},
        examples=[
            OpenApiExample(
                "Aalborg",
                value=[
                    {
                        "alliance": "aalborg",
                        "year": 2025,
                        "partners_joined": 12,
                        "active_partners": 12,
                    },
                    {
                        "alliance": "aalborg",
                        "year": 2026,
                        "partners_joined": 3,
                        "active_partners": 14,
                    },
                ],
            )
        ],
    )
)
class YearlyTotals(OpenDataMixin, APIView):
    """Per alliance and year: partners joined and partners at year end."""

    def get(self, request):
        params = filters.validated(filters.AllianceParams, request)
        alliance = self.alliance_from_query(params.get("alliance"))
        alliances = [alliance] if alliance else Alliance.objects.order_by("slug")
        data = yearly_totals(alliances)
        return Response(YearlyTotalSerializer(data, many=True).data)


# --- CSV ----------------------------------------------------------------------------------

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# The partner list's columns, keyed by language (`?lang=`; Danish by default, as the file
# has always been); `?format=json` gives the same rows as JSON objects with the English keys.
CSV_COLUMNS = {
    "da": [
        "cvr",
        "navn",
        "branchekode",
        "branche",
        "by",
        "hjemmeside",
        "underskrevet",
        "fokusområder",
    ],
    "en": ["cvr", "name", "industry_code", "industry", "city", "website", "signed", "focus_areas"],
}
CSV_HEADER = CSV_COLUMNS["da"]


def csv_safe(value):
    """Text a spreadsheet will not run as a formula (OWASP: CSV injection)."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


class CSVRenderer(renderers.BaseRenderer):
    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return data


@extend_schema_view(
    get=extend_schema(
        summary="An alliance's partners as CSV",
        description="UTF-8 with a byte order mark, `;`-separated, one row per partner. "
        "Danish by default: cvr, navn, branchekode, branche, by, hjemmeside, underskrevet "
        "(date of the countersignature), fokusområder. With `lang=en` the header and labels "
        "are English: cvr, name, industry_code, industry, city, website, signed, focus_areas. "
        "With `format=json` the same rows as a JSON list of objects with the English keys.",
        parameters=[
            OpenApiParameter(
                "lang",
                OpenApiTypes.STR,
                enum=filters.LANGUAGES,
                description="Language of the header and the labels: da (default) or en.",
            ),
            OpenApiParameter(
                "format",
                OpenApiTypes.STR,
                enum=["csv", "json"],
                description="csv (default) or json.",
            ),
        ],
        responses={
            (200, "text/csv"): OpenApiResponse(OpenApiTypes.STR, description="The CSV file."),
            (200, "application/json"): OpenApiResponse(
                OpenApiTypes.OBJECT, description="The same rows as JSON objects."
            ),
            (400, "application/json"): BAD_REQUEST,
            (404, "application/json"): NOT_FOUND,
        },
    )
)
class AlliancePartnersCSV(OpenDataMixin, APIView):
    """An alliance's partner list as a CSV file for spreadsheets."""

    renderer_classes = [CSVRenderer, renderers.JSONRenderer]

    def finalize_response(self, request, response, *args, **kwargs):
        if isinstance(response, Response):  # an error: always JSON
            request.accepted_renderer = renderers.JSONRenderer()
            request.accepted_media_type = "application/json"
        return super().finalize_response(request, response, *args, **kwargs)

    def perform_content_negotiation(self, request, force=False):
        if request.query_params.get("format") == "json":
            return renderers.JSONRenderer(), "application/json"
        return super().perform_content_negotiation(request, force=True)

    def dispatch(self, request, *args, **kwargs):
        # The file is Danish unless `lang=en` is asked for (the API's JSON is English).
        if not request.GET.get("lang"):
            request.GET = request.GET.copy()
            request.GET["lang"] = "da"
        return super().dispatch(request, *args, **kwargs)

    def _rows(self, alliance):
        companies = with_countersignatures(
            with_public_agreements(public_partners(alliance), alliance)
        )
        for company in companies:
            agreements = company.public_agreements
            signed = [municipality_signed_at(a) for a in agreements]
            signed_at = max((s for s in signed if s), default=None)
            areas = sorted({code for a in agreements for code in a.focus_area_codes()})
            industry = company.industry
            yield [
                company.cvr,
                company.name,
                industry,
                str(Industry(industry).label) if industry in Industry.values else "",
                company.city,
                company.website,
                _local_date(signed_at) or "",
                ", ".join(str(FocusArea(code).label) for code in areas),
            ]

    def get(self, request, slug):
        alliance = get_object_or_404(Alliance, slug=slug)
        if request.query_params.get("format") == "json":
            keys = CSV_COLUMNS["en"]
            return Response([dict(zip(keys, row, strict=True)) for row in self._rows(alliance)])
        out = io.StringIO()
        writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
        writer.writerow(CSV_COLUMNS[self.language])
        for row in self._rows(alliance):
            writer.writerow(csv_safe(cell) for cell in row)
        response = HttpResponse(
            ("\ufeff" + out.getvalue()).encode("utf-8"), content_type="text/csv; charset=utf-8"
        )
        response["Content-Disposition"] = attachment(f"partnere-{alliance.slug}.csv")
        return response


# --- Root, schema, documentation, unknown addresses ---------------------------------------


class ApiRoot(OpenDataMixin, APIView):
    """Klimaalliance open data: links to the endpoints and the documentation."""

    @extend_schema(exclude=True)
    def get(self, request):
        def link(name):
            return reverse(f"api:{name}", request=request)

        return Response(
            {
                "alliances": link("alliance-list"),
                "partners": link("partner-list"),
                "pledges": link("pledge-list"),
                "totals": link("totals"),
                "progress": link("progress"),
                "progress_csv": link("progress-csv"),
                "groups": link("group-list"),
                "papers": link("paper-list"),
                "cases": link("case-list"),
                "partnership_forms": link("partnership-form-list"),
                "networks": link("network-list"),
                "schema": link("schema"),
                "docs": link("docs"),
                "redoc": link("redoc"),
            }
        )


class VerifyPdf(OpenDataMixin, APIView):
    """Is this file an authentic signed agreement, and is its digital seal valid?"""

    http_method_names = ["post", "options"]
    parser_classes = [MultiPartParser]

    @extend_schema(
        summary="Verify a signed PDF",
        description="Upload a PDF (multipart/form-data, field `file`). `authentic` says whether "
        "it is exactly the archived PDF of an agreement both parties signed; `seal` is the "
        "cryptographic check of its digital seal (PAdES) against the certificates the portal "
        "trusts: who sealed it, when, whether anything changed after sealing. Reads only; "
        "the file is not stored.",
        parameters=[filters.LANG_PARAM],
        request={"multipart/form-data": VerifyUploadSerializer},
        responses={
            200: VerifyResultSerializer,
            400: OpenApiResponse(
                VerifyErrorSerializer, description="No file, not a PDF, or over 20 MB."
            ),
            415: OpenApiResponse(ErrorSerializer, description="Not multipart/form-data."),
        },
    )
    def post(self, request):
        upload = VerifyUploadSerializer(data=request.data)
        upload.is_valid(raise_exception=True)
        data = b"".join(upload.validated_data["file"].chunks())
        agreement = countersigned_agreement_by_pdf(data)
        result = {
            "authentic": agreement is not None,
            "agreement": _verified_agreement(agreement) if agreement else None,
            "seal": check_seal(data).as_dict(),
        }
        return Response(VerifyResultSerializer(result).data)


def _verified_agreement(agreement) -> dict:
    return {
        "verification_code": agreement.verification_code,
        "company": agreement.company.legal_name,
        "cvr": agreement.company.cvr,
        "municipality": agreement.alliance.municipality,
        "alliance": agreement.alliance.name,
        "version": agreement.version,
        "status": agreement.status,
        "start_date": agreement.start_date,
        "end_date": agreement.end_date,
    }


class SchemaView(SpectacularAPIView):
    """The OpenAPI 3 schema; English unless ?lang=da."""

    def dispatch(self, request, *args, **kwargs):
        with translation.override("en"):
            return super().dispatch(request, *args, **kwargs)


schema_view = without_cookies(SchemaView.as_view())
docs_view = without_cookies(SpectacularSwaggerView.as_view(url_name="api:schema"))
redoc_view = without_cookies(
    SpectacularRedocView.as_view(url_name="api:schema", template_name="api/redoc.html")
)


@csrf_exempt
def not_found(request, path=""):
    """Any other address under /api/v1/: a JSON 404 (or the address with a slash added)."""
    if not request.path.endswith("/"):
        try:
            match = resolve(request.path + "/")
        except Resolver404:
            match = None
        if match is not None and match.func is not not_found:
            query = request.META.get("QUERY_STRING", "")
            target = request.path + "/" + ("?" + query if query else "")
            return HttpResponsePermanentRedirect(target)
    response = JsonResponse({"detail": "Not found."}, status=404)
    response["Link"] = LICENCE_LINK
    return response


# --- Licence and conditional GET: the one decorator of every API view ----------------------

LICENCE_URL = "https://creativecommons.org/licenses/by/4.0/"
LICENCE_NAME = "CC BY 4.0"
ATTRIBUTION = "Klimaalliance: the municipal climate alliances of Denmark"
LICENCE_LINK = f'<{LICENCE_URL}>; rel="license"; title="{LICENCE_NAME}. Attribution: {ATTRIBUTION}"'


def with_licence(view):
    """State the licence and the attribution on every response (a Link header, RFC 8288)."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        response["Link"] = LICENCE_LINK
        return response

    return wrapped


def open_data_view(view):
    """Every API view: rendered without a CSRF cookie, with the licence. Caching and the
    ETag (conditional GET) are added around it in api/urls.py (`cached_api_view`)."""
    return with_licence(without_cookies(view))


def licence_comment(language="da") -> str:
    """The CSV files' first row: licence and attribution."""
    if language == "da":
        return f"# Licens: {LICENCE_NAME} ({LICENCE_URL}). Kilde: {ATTRIBUTION}."
    return f"# Licence: {LICENCE_NAME} ({LICENCE_URL}). Source: {ATTRIBUTION}."


# --- Public progress ------------------------------------------------------------------------


def _progress(request):
    params = filters.validated(filters.AllianceParams, request)
    slug = params.get("alliance")
    alliances = list(Alliance.objects.prefetch_related("targets").order_by("slug"))
    per_alliance, national = public_progress(alliances)
    if slug:
        per_alliance = [p for p in per_alliance if p.alliance.slug == slug]
        if not per_alliance:
            raise Http404(UNKNOWN_ALLIANCE)
    return per_alliance, national


@extend_schema_view(
    get=extend_schema(
        summary="Public progress",
        description="Per alliance and for the whole country: the approved, location-based "
        "emissions (tonnes CO2e, scopes 1-3) per year of the partners that publish their "
        "figures, against their baselines; the reduction in tonnes and per cent (the partners "
        "with both a baseline and an approved year); their public pledges on track, behind "
        "and milestones done; and which companies and years are covered. The same figures "
        "as the alliance page, the national overview and /api/v1/progress.csv.",
        parameters=[filters.ALLIANCE_PARAM, filters.LANG_PARAM],
        responses={200: ProgressListSerializer, 400: BAD_REQUEST, 404: NOT_FOUND},
    )
)
class ProgressView(OpenDataMixin, APIView):
    """What the alliances achieve."""

    def get(self, request):
        per_alliance, national = _progress(request)
        return Response(
            ProgressListSerializer({"alliances": per_alliance, "national": national}).data
        )


PROGRESS_CSV_HEADER = [
    "alliance",
    "år",
    "rapporterende_partnere",
    "udledning_t",
    "sammenlignelige_partnere",
    "basisår_t",
    "seneste_t",
    "reduktion_t",
    "reduktion_pct",
    "tilsagn_på_sporet",
    "tilsagn_bagud",
    "tilsagn_ikke_rapporteret",
    "milepæle_nået",
]


def progress_csv_rows(per_alliance, national):
    """One row per alliance (slug; `national` for all) and year, with that alliance's
    summary repeated; an alliance without figures has one row without a year. Numbers as
    the JSON API writes them (a full stop, three decimals)."""
    emissions_field = ProgressYearSerializer().fields["emissions_t"]
    for progress in [*per_alliance, national]:
        summary = ProgressSerializer(progress).data
        pledges = summary["pledges"]
        tail = [
            summary["comparable_partners"],
            summary["baseline_t"],
            summary["latest_t"],
            summary["reduction_t"],
            summary["reduction_percent"] or "",
            pledges["on_track"],
            pledges["behind"],
            pledges["not_reported"],
            pledges["milestones_done"],
        ]
        name = progress.slug or "national"
        years = progress.years or [None]
        for row in years:
            if row is None:
                yield [name, "", 0, "", *tail]
            else:
                total = emissions_field.to_representation(row.total_location_t)
                yield [name, row.year, row.companies, total, *tail]


@extend_schema_view(
    get=extend_schema(
        summary="Public progress as CSV",
        description="UTF-8 with a byte order mark, `;`-separated. The first row is a comment "
        "(`#`) stating the licence and attribution; then the header: alliance (slug, or "
        "`national` for all alliances), år, rapporterende_partnere, udledning_t, then the "
        "alliance's summary repeated on each row. The same figures as /api/v1/progress/.",
        parameters=[filters.ALLIANCE_PARAM, filters.LANG_PARAM],
        responses={
            (200, "text/csv"): OpenApiResponse(OpenApiTypes.STR, description="The CSV file."),
            (400, "application/json"): BAD_REQUEST,
            (404, "application/json"): NOT_FOUND,
        },
    )
)
class ProgressCSV(AlliancePartnersCSV):
    """The public progress as a CSV file."""

    def get(self, request):
        per_alliance, national = _progress(request)
        out = io.StringIO()
        writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
        out.write(licence_comment() + "\r\n")
        writer.writerow(PROGRESS_CSV_HEADER)
        for row in progress_csv_rows(per_alliance, national):
            writer.writerow(csv_safe(cell) for cell in row)
        response = HttpResponse(
            ("\ufeff" + out.getvalue()).encode("utf-8"), content_type="text/csv; charset=utf-8"
        )
        response["Content-Disposition"] = attachment("fremskridt.csv")
        return response


# --- Working groups, commitment papers, inspiration, partnership forms, networks -----------


class AllianceScopedList(OpenDataMixin, generics.ListAPIView):
    """A paginated list, optionally of one alliance (?alliance=slug, 404 when unknown)."""

    pagination_class = ApiPagination
    filter_backends = [DjangoFilterBackend]
    alliance_field = "alliance"

    def get_queryset(self):
        params = filters.validated(filters.AllianceParams, self.request)
        alliance = self.alliance_from_query(params.get("alliance"))
        queryset = self.base_queryset()
        if alliance is not None:
            queryset = queryset.filter(**{self.alliance_field: alliance})
        return queryset


@extend_schema_view(
    get=extend_schema(
        summary="Working groups",
        description="The alliances' working groups with their current chair, current member "
        "companies, status and published results.",
        parameters=[filters.ALLIANCE_PARAM, filters.LANG_PARAM],
        responses={200: WorkingGroupSerializer(many=True), 400: BAD_REQUEST, 404: NOT_FOUND},
    )
)
class WorkingGroupList(AllianceScopedList):
    serializer_class = WorkingGroupSerializer
    filterset_class = filters.WorkingGroupFilter

    def base_queryset(self):
        return (
            WorkingGroup.objects.select_related("alliance")
            .prefetch_related(
                Prefetch(
                    "chair_terms",
                    queryset=ChairTerm.objects.filter(ended_on__isnull=True).select_related(
                        "company"
                    ),
                    to_attr="current_chair_terms",
                ),
                Prefetch(
                    "members",
                    queryset=GroupMember.objects.filter(left_on__isnull=True)
                    .select_related("company")
                    .order_by("company__legal_name", "pk"),
                    to_attr="current_members",
                ),
                Prefetch(
                    "documents",
                    queryset=GroupDocument.objects.filter(is_published=True).order_by(
                        "-created_at", "pk"
                    ),
                    to_attr="published_documents",
                ),
            )
            .order_by("alliance__slug", "name", "pk")
        )


@extend_schema_view(
    get=extend_schema(
        summary="Commitment papers",
        description="Joint declarations of working groups that companies sign: the text in "
        "Danish and English, the signing companies and their number. Drafts are never "
        "included.",
        parameters=[filters.ALLIANCE_PARAM, filters.LANG_PARAM],
        responses={200: CommitmentPaperSerializer(many=True), 400: BAD_REQUEST, 404: NOT_FOUND},
    )
)
class CommitmentPaperList(AllianceScopedList):
    serializer_class = CommitmentPaperSerializer
    filterset_class = filters.CommitmentPaperFilter
    alliance_field = "group__alliance"

    def base_queryset(self):
        return (
            CommitmentPaper.objects.filter(
                status__in=[CommitmentPaper.Status.OPEN, CommitmentPaper.Status.CLOSED]
            )
            .select_related("group__alliance")
            .prefetch_related(
                Prefetch(
                    "signatures",
                    queryset=CommitmentSignature.objects.select_related("company").order_by(
                        "signed_at", "pk"
                    ),
                )
            )
            .order_by("group__alliance__slug", "-published_at", "pk")
        )


@extend_schema_view(
    get=extend_schema(
        summary="Inspiration cases",
        description="Published partnership cases for every municipality to learn from, with "
        "their partnership form (see /api/v1/partnership-forms/).",
        parameters=[filters.ALLIANCE_PARAM, filters.LANG_PARAM],
        responses={200: InspirationCaseSerializer(many=True), 400: BAD_REQUEST, 404: NOT_FOUND},
    )
)
class InspirationCaseList(AllianceScopedList):
    serializer_class = InspirationCaseSerializer
    filterset_class = filters.InspirationCaseFilter

    def base_queryset(self):
        return (
            InspirationCase.objects.filter(is_published=True)
            .select_related("alliance")
            .order_by("-created_at", "pk")
        )


@extend_schema_view(
    get=extend_schema(
        summary="The seven partnership forms",
        description="KL's forms a climate partnership takes, numbered as KL numbers them.",
        parameters=[filters.LANG_PARAM],
        responses={200: PartnershipFormSerializer(many=True), 400: BAD_REQUEST},
    )
)
class PartnershipFormList(OpenDataMixin, APIView):
    def get(self, request):
        forms = [
            {"number": number, "code": code, "label": str(label)}
            for number, (code, label) in enumerate(PartnershipForm.choices, start=1)
        ]
        return Response(PartnershipFormSerializer(forms, many=True).data)


@extend_schema_view(
    get=extend_schema(
        summary="Networks of municipalities",
        description="Networks such as DK2020's climate alliance of 16 municipalities: their "
        "member municipalities, joint declaration and events.",
        parameters=[filters.LANG_PARAM],
        responses={200: NetworkSerializer(many=True), 400: BAD_REQUEST},
    )
)
class NetworkList(OpenDataMixin, generics.ListAPIView):
    serializer_class = NetworkSerializer
    pagination_class = ApiPagination

    def get_queryset(self):
        return AllianceNetwork.objects.prefetch_related(
            Prefetch(
                "members",
                queryset=NetworkMember.objects.select_related("alliance").order_by(
                    "municipality", "pk"
                ),
            ),
            Prefetch("events", queryset=NetworkEvent.objects.order_by("date", "pk")),
        ).order_by("name", "pk")
