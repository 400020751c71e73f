"""The partner list's JSON, built from plain rows (`values()`) rather than model instances
and nested serializers: a page of 100 partners costs four queries and a few milliseconds,
so a harvester walking a list of tens of thousands is cheap even where nothing is cached.

The shape is exactly `serializers.PartnerSerializer`'s, which documents it in the OpenAPI
schema; tests/api/test_open_data.py compares the two.
"""

import datetime
from collections import defaultdict

from django.db.models import Max, Q
from django.db.models.fields.files import FieldFile
from rest_framework import serializers

from companies.industries import Industry
from companies.models import Company
from partnerships.models import AgreementFocusArea, Pledge, Signature
from partnerships.selectors import active_agreements

# What the list reads of each company; `sort_name` and `id` are the page's sort key.
COMPANY_FIELDS = (
    "id",
    "sort_name",
    "cvr",
    "legal_name",
    "display_name",
    "industry",
    "sub_industry",
    "size_band",
    "city",
    "website",
    "description",
    "description_en",
    "logo",
    "logo_alt",
)
_UTC_TIME = serializers.DateTimeField(default_timezone=datetime.UTC)
_LOGO = Company._meta.get_field("logo")


def partner_data(companies, alliance, request) -> list[dict]:
    """PartnerSerializer's representation of `companies` (rows with COMPANY_FIELDS), with
    their active agreements (only `alliance`'s, if given): three queries for any number."""
    companies = list(companies)
    agreements = _agreements([row["id"] for row in companies], alliance)
    industry_labels = {code: str(label) for code, label in Industry.choices}
    return [
        {
            "cvr": row["cvr"],
            "name": row["display_name"] or row["legal_name"],
            "legal_name": row["legal_name"],
            "industry": {
                "code": row["industry"],
                "label": industry_labels.get(row["industry"], ""),
            },
            "sub_industry": row["sub_industry"],
            "size_band": row["size_band"],
            "city": row["city"],
            "website": row["website"],
            "description": row["description"],
            "description_en": row["description_en"],
            "logo": _logo_url(row["logo"], request),
            "logo_alt": row["logo_alt"],
            "alliances": agreements.get(row["id"], []),
        }
        for row in companies
    ]


def _agreements(company_ids, alliance):
    """{company id: [agreement representation]}, newest agreement first."""
    rows = list(
        active_agreements(alliance)
        .filter(company_id__in=company_ids)
        .annotate(
            signed_at=Max(
                "signatures__signed_at",
                filter=Q(signatures__party=Signature.Party.MUNICIPALITY),
            )
        )
        .order_by("-created_at", "-pk")
        .values(
            "id",
            "company_id",
            "alliance__slug",
            "alliance__name",
            "signed_at",
            "start_date",
            "end_date",
            "partnership_form",
        )
    )
    ids = [row["id"] for row in rows]
    areas = defaultdict(list)
    links = AgreementFocusArea.objects.filter(agreement_id__in=ids).order_by("area", "pk")
    for agreement_id, area in links.values_list("agreement_id", "area"):
        areas[agreement_id].append(area)
    pledges = defaultdict(list)
    public = Pledge.objects.filter(agreement_id__in=ids, is_public=True).order_by("order", "pk")
    for pledge in public.values("agreement_id", *PLEDGE_FIELDS):
        pledges[pledge.pop("agreement_id")].append(_pledge(pledge))
    by_company = defaultdict(list)
    for row in rows:
        signed_at = row["signed_at"]
        by_company[row["company_id"]].append(
            {
                "slug": row["alliance__slug"],
                "name": row["alliance__name"],
                "signed_at": None if signed_at is None else _UTC_TIME.to_representation(signed_at),
                "start_date": row["start_date"].isoformat(),
                "end_date": row["end_date"].isoformat(),
                "partnership_form": row["partnership_form"],
                "focus_areas": areas[row["id"]],
                "pledges": pledges[row["id"]],
            }
        )
    return by_company


PLEDGE_FIELDS = (
    "title",
    "description",
    "focus_area",
    "scopes",
    "is_milestone",
    "metric",
    "baseline_year",
    "baseline_value",
    "target_year",
    "target_value",
)


def _pledge(row):
    row["scopes"] = [int(scope) for scope in row["scopes"] or []]
    baseline, target = row["baseline_value"], row["target_value"]
    reduction = None
    if not row["is_milestone"] and baseline and target is not None:  # Pledge.reduction_percent
        reduction = round(float((1 - target / baseline) * 100), 1)
    row["reduction_percent"] = reduction
    return row


def _logo_url(name, request):
    if not name:
        return None
    url = FieldFile(None, _LOGO, name).url
    return request.build_absolute_uri(url) if request is not None else url
