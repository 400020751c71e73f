"""/api/v1/: the read-only open data API, its OpenAPI schema and documentation."""

from django.urls import path, re_path

from klimaalliance.caching import public_page

from . import catalogue, views

app_name = "api"


def api_view(view_class):
    return views.open_data_view(view_class.as_view())


def cached_api_view(view_class):
    """Open data is public data: cached under the pages' public data version (so a change
    shows at once), with an ETag for conditional GETs. Content negotiation reads Accept."""
    return public_page(api_view(view_class), vary_on=("Accept",))


urlpatterns = [
    path("", cached_api_view(views.ApiRoot), name="root"),
    path("alliances/", cached_api_view(views.AllianceList), name="alliance-list"),
    path("alliances/<slug:slug>/", cached_api_view(views.AllianceDetail), name="alliance-detail"),
    path(
        "alliances/<slug:slug>/partners.csv",
        cached_api_view(views.AlliancePartnersCSV),
        name="alliance-partners-csv",
    ),
    path("partners/", cached_api_view(views.PartnerList), name="partner-list"),
    path("partners/<str:cvr>/", cached_api_view(views.PartnerDetail), name="partner-detail"),
    path("pledges/", cached_api_view(views.PledgeList), name="pledge-list"),
    path("totals/", cached_api_view(views.YearlyTotals), name="totals"),
    path("progress/", cached_api_view(views.ProgressView), name="progress"),
    path("progress.csv", cached_api_view(views.ProgressCSV), name="progress-csv"),
    path("groups/", cached_api_view(views.WorkingGroupList), name="group-list"),
    path("papers/", cached_api_view(views.CommitmentPaperList), name="paper-list"),
    path("cases/", cached_api_view(views.InspirationCaseList), name="case-list"),
    path(
        "partnership-forms/",
        cached_api_view(views.PartnershipFormList),
        name="partnership-form-list",
    ),
    path("networks/", cached_api_view(views.NetworkList), name="network-list"),
    path("verify/", api_view(views.VerifyPdf), name="verify"),
    # The DCAT-AP catalogue for harvesting, in three syntaxes of one graph.
    *(
        path(
            f"catalog.{fmt}",
            public_page(views.with_licence(catalogue.catalogue_view)),
            {"fmt": fmt},
            name=name,
        )
        for fmt, name in (("jsonld", "catalog"), ("ttl", "catalog-ttl"), ("rdf", "catalog-rdf"))
    ),
    path("schema/", views.with_licence(views.schema_view), name="schema"),
    path("docs/", views.with_licence(views.docs_view), name="docs"),
    path("redoc/", views.with_licence(views.redoc_view), name="redoc"),
    # Any other address, also paths with a newline: a JSON 404.
    re_path(r"^(?P<path>[\s\S]*)$", views.not_found),
]
