"""/api/v1/: the read-only open data API, its OpenAPI schema and documentation."""

from django.urls import path, re_path

from . import views

app_name = "api"


def api_view(view_class):
    return views.without_cookies(view_class.as_view())


urlpatterns = [
    path("", api_view(views.ApiRoot), name="root"),
    path("alliances/", api_view(views.AllianceList), name="alliance-list"),
    path("alliances/<slug:slug>/", api_view(views.AllianceDetail), name="alliance-detail"),
    path(
        "alliances/<slug:slug>/partners.csv",
        api_view(views.AlliancePartnersCSV),
        name="alliance-partners-csv",
    ),
    path("partners/", api_view(views.PartnerList), name="partner-list"),
    path("partners/<str:cvr>/", api_view(views.PartnerDetail), name="partner-detail"),
    path("pledges/", api_view(views.PledgeList), name="pledge-list"),
    path("totals/", api_view(views.YearlyTotals), name="totals"),
    path("verify/", api_view(views.VerifyPdf), name="verify"),
    path("schema/", views.schema_view, name="schema"),
    path("docs/", views.docs_view, name="docs"),
    path("redoc/", views.redoc_view, name="redoc"),
    re_path(r"^(?P<path>[\s\S]*)$", views.not_found),  # also paths with a newline
]
