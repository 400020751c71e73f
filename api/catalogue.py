"""The open data catalogue for harvesting: DCAT-AP (the profile DCAT-AP-DK 2.0 builds on)
as JSON-LD, and the same graph as Turtle and RDF/XML through rdflib.

Each alliance publishes its own datasets (partners, pledges, progress, working groups and
commitment papers, inspiration cases), with its municipality as publisher; the shared
vocabularies (the seven partnership forms, the networks of municipalities) are the
catalogue's. Every dataset has a title and description in Danish and English, the licence
(CC BY 4.0), an update frequency, a temporal coverage and its distributions (the API's
JSON, and CSV where there is a file). Vocabularies: the EU Publications Office's authority
tables for licences, frequencies and file types, IANA for media types.
"""

import json

from django.conf import settings
from django.db.models import Min
from django.http import HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET
from rdflib import Graph

from emissions.public import public_progress
from klimaalliance.models import Alliance
from partnerships.models import Agreement

EU = "http://publications.europa.eu/resource/authority/"
LICENCE = EU + "licence/CC_BY_4_0"
ANNUAL, CONTINUOUS, IRREGULAR = (EU + f"frequency/{f}" for f in ("ANNUAL", "UPDATE_CONT", "IRREG"))
FORMATS = {
    "json": (
        EU + "file-type/JSON",
        "https://www.iana.org/assignments/media-types/application/json",
    ),
    "csv": (EU + "file-type/CSV", "https://www.iana.org/assignments/media-types/text/csv"),
}
CONTEXT = {
    "dcat": "http://www.w3.org/ns/dcat#",
    "dct": "http://purl.org/dc/terms/",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "vcard": "http://www.w3.org/2006/vcard/ns#",
}

# (key, Danish title, English title, Danish description, English description, frequency,
#  distributions: (API URL name, kwargs builder, format, per-alliance query))
ALLIANCE_DATASETS = [
    (
        "partners",
        "Partnere i {name}",
        "Partners of {name}",
        "Virksomheder med en aktiv klimapartnerskabsaftale med {municipality}.",
        "Companies with an active climate partnership agreement with {municipality}.",
        CONTINUOUS,
    ),
    (
        "pledges",
        "Tilsagn i {name}",
        "Pledges in {name}",
        "Partnernes offentlige tilsagn med fremskridt pr. tilsagn.",
        "The partners' public pledges with progress per pledge.",
        CONTINUOUS,
    ),
    (
        "progress",
        "Fremskridt i {name}",
        "Progress of {name}",
        "Godkendt udledning pr. år (t CO2e) for partnere, der offentliggør deres tal, mod "
        "deres basisår; reduktion og tilsagn på sporet.",
        "Approved emissions per year (t CO2e) of the partners that publish their figures, "
        "against their baselines; reduction and pledges on track.",
        ANNUAL,
    ),
    (
        "groups",
        "Arbejdsgrupper og commitment papers i {name}",
        "Working groups and commitment papers of {name}",
        "Arbejdsgrupper med formandskab, medlemmer og resultater, og de commitment papers, "
        "virksomhederne underskriver.",
        "Working groups with chair, members and results, and the commitment papers companies sign.",
        CONTINUOUS,
    ),
    (
        "cases",
        "Inspirationscases fra {name}",
        "Inspiration cases from {name}",
        "Klimapartnerskaber andre kommuner kan lære af.",
        "Climate partnerships other municipalities can learn from.",
        IRREGULAR,
    ),
]


def _distributions(key, alliance):
    """(url, format) of a per-alliance dataset's distributions."""
    query = f"?alliance={alliance.slug}"
    urls = {
        "partners": [
            (reverse("api:partner-list") + query, "json"),
            (reverse("api:alliance-partners-csv", kwargs={"slug": alliance.slug}), "csv"),
        ],
        "pledges": [(reverse("api:pledge-list") + query, "json")],
        "progress": [
            (reverse("api:progress") + query, "json"),
            (reverse("api:progress-csv") + query, "csv"),
        ],
        "groups": [
            (reverse("api:group-list") + query, "json"),
            (reverse("api:paper-list") + query, "json"),
        ],
        "cases": [(reverse("api:case-list") + query, "json")],
    }
    return urls[key]


def _text(da, en):
    return [{"@value": da, "@language": "da"}, {"@value": en, "@language": "en"}]


def _temporal(start, end=None):
    period = {"@type": "dct:PeriodOfTime"}
    if start:
        period["dcat:startDate"] = {"@value": str(start), "@type": "xsd:date"}
    if end:
        period["dcat:endDate"] = {"@value": str(end), "@type": "xsd:date"}
    return period


def _dataset(base, identifier, titles, descriptions, publisher, frequency, temporal, dists):
    dataset_id = f"{base}#dataset-{identifier}"
    distributions = []
    for number, (path, fmt) in enumerate(dists, start=1):
        file_type, media_type = FORMATS[fmt]
        url = base + path
        distributions.append(
            {
                "@id": f"{dataset_id}-{number}",
                "@type": "dcat:Distribution",
                "dct:title": _text(f"{titles[0]} ({fmt.upper()})", f"{titles[1]} ({fmt.upper()})"),
                "dcat:accessURL": {"@id": url},
                "dcat:downloadURL": {"@id": url},
                "dct:format": {"@id": file_type},
                "dcat:mediaType": {"@id": media_type},
                "dct:license": {"@id": LICENCE},
            }
        )
    return {
        "@id": dataset_id,
        "@type": "dcat:Dataset",
        "dct:identifier": identifier,
        "dct:title": _text(*titles),
        "dct:description": _text(*descriptions),
        "dct:publisher": publisher,
        "dct:license": {"@id": LICENCE},
        "dct:accrualPeriodicity": {"@id": frequency},
        "dct:temporal": temporal,
        "dcat:distribution": distributions,
    }


def catalogue(base: str) -> dict:
    """The catalogue as a JSON-LD document; `base` is the site's address (no slash)."""
    alliances = list(Alliance.objects.prefetch_related("targets").order_by("slug"))
    per_alliance, _national = public_progress(alliances)
    started = dict(
        Agreement.objects.filter(alliance__in=alliances)
        .values_list("alliance_id")
        .annotate(first=Min("start_date"))
        .order_by()
    )
    today = timezone.localdate()
    portal = {
        "@id": f"{base}/#publisher",
        "@type": "foaf:Organization",
        "foaf:name": "Klimaalliance",
        "foaf:homepage": {"@id": f"{base}/"},
    }
    datasets = []
    for alliance, progress in zip(alliances, per_alliance, strict=True):
        publisher = {
            "@id": f"{base}/{alliance.slug}/#publisher",
            "@type": "foaf:Organization",
            "foaf:name": alliance.municipality,
            "dct:identifier": alliance.municipality_code,
            "foaf:homepage": {"@id": f"{base}{alliance.get_absolute_url()}"},
        }
        since = started.get(alliance.pk) or alliance.launched_on
        for key, title_da, title_en, text_da, text_en, frequency in ALLIANCE_DATASETS:
            names = {"name": alliance.name, "municipality": alliance.municipality}
            if key == "progress":
                temporal = _temporal(
                    f"{progress.first_year}-01-01" if progress.first_year else since,
                    f"{progress.last_year}-12-31" if progress.last_year else None,
                )
            else:
                temporal = _temporal(since, today)
            datasets.append(
                _dataset(
                    base,
                    f"{alliance.slug}-{key}",
                    (title_da.format(**names), title_en.format(**names)),
                    (text_da.format(**names), text_en.format(**names)),
                    publisher,
                    frequency,
                    temporal,
                    _distributions(key, alliance),
                )
            )
    datasets.append(
        _dataset(
            base,
            "partnership-forms",
            ("Klimapartnerskabets syv former", "The seven forms of a climate partnership"),
            (
                "KL's syv former for klimapartnerskaber mellem kommuner og virksomheder.",
                "KL's seven forms of climate partnerships between municipalities and companies.",
            ),
            portal,
            IRREGULAR,
            _temporal("2022-01-01"),
            [(reverse("api:partnership-form-list"), "json")],
        )
    )
    datasets.append(
        _dataset(
            base,
            "networks",
            ("Kommunale netværk og arrangementer", "Networks of municipalities and events"),
            (
                "Netværk af kommuner, fx DK2020-klimaalliancen, med medlemmer, fælles "
                "erklæring og arrangementer.",
                "Networks of municipalities, e.g. the DK2020 climate alliance, with members, "
                "joint declaration and events.",
            ),
            portal,
            IRREGULAR,
            _temporal("2020-01-01", today),
            [(reverse("api:network-list"), "json")],
        )
    )
    return {
        "@context": CONTEXT,
        "@id": f"{base}/api/v1/catalog.jsonld",
        "@type": "dcat:Catalog",
        "dct:title": _text("Klimaalliancernes åbne data", "Open data of the climate alliances"),
        "dct:description": _text(
            "Klimapartnerskaber mellem danske kommuner og virksomheder: partnere, tilsagn, "
            "fremskridt, arbejdsgrupper, inspirationscases og netværk.",
            "Climate partnerships between Danish municipalities and companies: partners, "
            "pledges, progress, working groups, inspiration cases and networks.",
        ),
        "dct:publisher": portal,
        "dct:license": {"@id": LICENCE},
        "dct:language": [
            {"@id": EU + "language/DAN"},
            {"@id": EU + "language/ENG"},
        ],
        "foaf:homepage": {"@id": f"{base}/"},
        "dcat:dataset": datasets,
    }


RDF_FORMATS = {
    "jsonld": ("application/ld+json", None),
    "ttl": ("text/turtle", "turtle"),
    "rdf": ("application/rdf+xml", "xml"),
}


@require_GET
def catalogue_view(request, fmt):
    """/api/v1/catalog.jsonld, .ttl and .rdf: the same graph in three syntaxes."""
    base = request.build_absolute_uri("/").rstrip("/") or settings.SITE_URL
    document = json.dumps(catalogue(base), ensure_ascii=False, indent=1)
    content_type, rdflib_format = RDF_FORMATS[fmt]
    if rdflib_format is not None:
        document = Graph().parse(data=document, format="json-ld").serialize(format=rdflib_format)
    return HttpResponse(document.encode("utf-8"), content_type=f"{content_type}; charset=utf-8")
