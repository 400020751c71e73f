"""The open data API's documentation page in the portal's own layout, in Danish and
English (issue 14). The endpoints and their parameters come from the OpenAPI schema (one
source with the interactive explorer); what they mean is written here, translatable."""

import functools

from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from api.views import ATTRIBUTION, LICENCE_NAME, LICENCE_URL
from klimaalliance.caching import public_page

SUMMARIES = {
    "alliances_list": _("Every municipal climate alliance, its climate targets and partners."),
    "alliances_retrieve": _("One alliance by its address name, e.g. aalborg."),
    "alliances_partners.csv_retrieve": _("An alliance's partners as a CSV file."),
    "partners_list": _("Companies with an active partnership agreement and public pledges."),
    "partners_retrieve": _("One partner by its CVR number."),
    "pledges_list": _("The partners' public pledges."),
    "totals_list": _("Yearly totals of the approved, published emissions."),
    "progress_retrieve": _("Progress towards the climate targets."),
    "progress.csv_retrieve": _("Progress towards the climate targets as a CSV file."),
    "groups_list": _("Working groups, their chairs and members."),
    "papers_list": _("Commitment papers of the working groups."),
    "cases_list": _("Inspiration cases: partnerships to learn from."),
    "partnership_forms_list": _("The seven partnership forms of the KL catalogue."),
    "networks_list": _("Networks of municipalities."),
    "verify_create": _("Check that a signed agreement PDF is authentic (send the PDF)."),
}

PARAMETERS = {
    "lang": _("Language of labels and texts: da or en."),
    "limit": _("How many results per page."),
    "offset": _("How many results to skip (the next page)."),
    "alliance": _("Only this alliance (its address name, e.g. aalborg)."),
    "slug": _("The alliance's address name, e.g. aalborg."),
    "cvr": _("The company's CVR number, eight digits."),
    "focus": _("Only this focus area."),
    "form": _("Only this partnership form."),
    "industry": _("Only this industry (the letter of the Danish industry code, DB07)."),
    "q": _("Search in names and descriptions."),
    "sort": _("Order: by name or by the date signed; a minus sign reverses it."),
    "status": _("Only groups or papers with this status."),
    "theme": _("Only groups with this theme."),
    "format": _("csv (the default) or json."),
}

EXAMPLE_VALUES = {"slug": "aalborg", "cvr": "12345678"}


@functools.cache
def operations():
    """(method, path, operation id, parameters) of every operation in the schema; the
    schema takes a second to build, so it is built once per process."""
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    result = []
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            parameters = [
                {
                    "name": parameter["name"],
                    "location": parameter["in"],
                    "required": bool(parameter.get("required")),
                    "type": parameter.get("schema", {}).get("type", "string"),
                    "values": parameter.get("schema", {}).get("enum") or [],
                }
                for parameter in operation.get("parameters", [])
            ]
            result.append((method.upper(), path, operation["operationId"], parameters))
    return tuple(result)


def _example(path, method):
    if method != "GET":
        return ""
    for name, value in EXAMPLE_VALUES.items():
        path = path.replace(f"{{{name}}}", value)
    return path


@require_GET
@public_page
def api_docs(request):
    endpoints = [
        {
            "method": method,
            "path": path,
            "id": operation_id.replace(".", "-").replace("_", "-"),
            "summary": SUMMARIES.get(operation_id, ""),
            "example": _example(path, method),
            "parameters": [
                {**parameter, "description": PARAMETERS.get(parameter["name"], "")}
                for parameter in parameters
            ],
        }
        for method, path, operation_id, parameters in operations()
    ]
    context = {
        "endpoints": endpoints,
        "licence_name": LICENCE_NAME,
        "licence_url": LICENCE_URL,
        "attribution": ATTRIBUTION,
    }
    return render(request, "portal/api_docs.html", context)
