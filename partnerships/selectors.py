"""Public reads: who is a partner, and what they have made public.

A company is a *partner* of an alliance while it has an active agreement with it. Only
fields meant for the public are read here; internal notes, contacts and drafts never are.
"""

import hashlib

from django.db.models import Exists, OuterRef, Prefetch, Subquery

from companies.models import SORT_NAME, Company
from klimaalliance.search import all_words_in, search_words

from .models import Agreement, AgreementFocusArea, Pledge, Signature

ACTIVE = Agreement.Status.ACTIVE


def active_agreements(alliance=None):
    qs = Agreement.objects.filter(status=ACTIVE)
    return qs.filter(alliance=alliance) if alliance is not None else qs


def public_partners(alliance=None, *, q="", industry="", focus="", form="", sort="name"):
    """Companies with an active agreement (in `alliance`, or any), filtered and sorted.

    Each company carries `signed_at` (the latest countersignature). Focus areas and forms
    come from its active agreements. Unknown filter values simply match nothing.
    """
    agreements = active_agreements(alliance)
    matching = agreements.filter(company=OuterRef("pk"))
    if focus:
        matching = matching.filter(focus_area_links__area=focus)
    if form:
        matching = matching.filter(partnership_form=form)
    # A subquery, not an aggregate over joins: no GROUP BY over every partner, and a page
    # sorted by name (SORT_NAME's index) computes it for its own rows only.
    countersignatures = Signature.objects.filter(
        agreement__in=agreements.filter(company=OuterRef(OuterRef("pk"))),
        party=Signature.Party.MUNICIPALITY,
    )
    qs = Company.objects.filter(Exists(matching)).annotate(
        signed_at=Subquery(countersignatures.order_by("-signed_at").values("signed_at")[:1]),
        sort_name=SORT_NAME,
    )
    if words := search_words(q):
        qs = qs.filter(all_words_in("search_text", words))
    if industry:
        qs = qs.filter(industry=industry)
    ordering = {
        "name": ["sort_name", "pk"],
        "-name": ["-sort_name", "-pk"],
        "-signed": ["-signed_at", "legal_name"],
        "signed": ["signed_at", "legal_name"],
    }.get(sort, ["sort_name", "pk"])
    return qs.order_by(*ordering)


def with_public_agreements(companies, alliance=None):
    """Prefetch each company's active agreements, their focus areas and public pledges."""
    return companies.prefetch_related(
        Prefetch(
            "agreements",
            queryset=active_agreements(alliance)
            .select_related("alliance")
            .prefetch_related(
                Prefetch("focus_area_links", queryset=AgreementFocusArea.objects.order_by("area")),
                Prefetch("pledges", queryset=Pledge.objects.filter(is_public=True)),
            ),
            to_attr="public_agreements",
        )
    )


def countersigned_agreement_by_pdf(data: bytes) -> Agreement | None:
    """The agreement both parties signed whose archived (sealed) PDF is exactly `data`; the
    public verification page and the API's verify endpoint both ask this."""
    digest = hashlib.sha256(data).hexdigest()
    return (
        Agreement.objects.filter(status__in=Agreement._sealed_statuses(), pdf_sha256=digest)
        .select_related("alliance", "company")
        .first()
    )
