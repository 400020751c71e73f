"""The agreement as a document: one rendering shared by the HTML preview, the signed hash
and the PDF, always in the agreement's own language."""

import hashlib
import json
import re
from dataclasses import asdict, dataclass, field

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import formats, translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from klimaalliance.choices import FocusArea, PartnershipForm
from klimaalliance.numbers import format_number
from klimaalliance.pdf import html_to_pdf
from klimaalliance.seal import seal_pdf

PLACEHOLDER = re.compile(r"\{(\w+)\}")
PLACEHOLDERS = (
    "company",
    "company_cvr",
    "municipality",
    "alliance",
    "start_date",
    "end_date",
    "focus_areas",
    "partnership_form",
    "pledges",
)


@dataclass
class PledgeText:
    title: str
    description: str
    focus_area: str
    scopes: str
    target: str


@dataclass
class AgreementDocument:
    language: str
    title: str
    template_version: int
    agreement_version: int
    company: str
    company_cvr: str
    municipality: str
    alliance: str
    start_date: str
    end_date: str
    partnership_form: str
    focus_areas: list[str]
    clauses: list[tuple[str, str]]
    pledges: list[PledgeText]
    municipality_commitments: str
    replaces_version: int | None = None
    extra: dict = field(default_factory=dict)

    def canonical_bytes(self) -> bytes:
        """What a signature seals: every word of the document, in a stable serialisation."""
        return json.dumps(asdict(self), ensure_ascii=False, sort_keys=True).encode()


def fill_placeholders(text: str, values: dict) -> str:
    """Replace {name} with its value; unknown names stay as typed (staff text is not code)."""
    return PLACEHOLDER.sub(lambda m: str(values.get(m.group(1), m.group(0))), text)


def _number(value):
    return format_number(value)


def _pledge_target(pledge) -> str:
    if pledge.is_milestone:
        return _("Milestone to be met by %(year)s") % {"year": pledge.target_year or "–"}
    return _(
        "From %(baseline)s %(metric)s in %(baseline_year)s to %(target)s %(metric)s in "
        "%(target_year)s"
    ) % {
        "baseline": _number(pledge.baseline_value),
        "target": _number(pledge.target_value),
        "metric": pledge.metric,
        "baseline_year": pledge.baseline_year or "–",
        "target_year": pledge.target_year or "–",
    }


def build_document(agreement) -> AgreementDocument:
    """The agreement's full text in its language. Reads pledges and clauses (2 queries)."""
    with translation.override(agreement.language):
        language = agreement.language
        pledges = [
            PledgeText(
                title=p.title,
                description=p.description,
                focus_area=str(FocusArea(p.focus_area).label) if p.focus_area else "",
                scopes=", ".join(str(s) for s in sorted(p.scopes or [])),
                target=_pledge_target(p),
            )
            for p in agreement.pledges.all()
        ]
        focus_areas = [str(label) for label in agreement.focus_area_labels()]
        values = {
            "company": agreement.company.legal_name,
            "company_cvr": agreement.company.cvr,
            "municipality": agreement.alliance.municipality,
            "alliance": agreement.alliance.name,
            "start_date": formats.date_format(agreement.start_date, "DATE_FORMAT"),
            "end_date": formats.date_format(agreement.end_date, "DATE_FORMAT"),
            # A draft may have none yet: never a sentence ending in ": ."
            "focus_areas": ", ".join(focus_areas) or pgettext("focus areas", "none yet"),
            "partnership_form": str(PartnershipForm(agreement.partnership_form).label),
            "pledges": "; ".join(p.title for p in pledges) or pgettext("pledges", "none yet"),
        }
        clauses = []
        for clause in agreement.template.clauses.all():
            heading, text = clause.in_language(language)
            clauses.append((heading, fill_placeholders(text, values)))
        return AgreementDocument(
            language=language,
            title=agreement.template.title_in(language),
            template_version=agreement.template.version,
            agreement_version=agreement.version,
            company=values["company"],
            company_cvr=values["company_cvr"],
            municipality=values["municipality"],
            alliance=values["alliance"],
            start_date=values["start_date"],
            end_date=values["end_date"],
            partnership_form=values["partnership_form"],
            focus_areas=focus_areas,
            clauses=clauses,
            pledges=pledges,
            municipality_commitments=agreement.municipality_commitments,
            replaces_version=agreement.replaces.version if agreement.replaces_id else None,
        )


def content_sha256(agreement) -> str:
    return hashlib.sha256(build_document(agreement).canonical_bytes()).hexdigest()


def render_agreement_html(agreement, *, for_pdf: bool, signatures=None) -> str:
    """The agreement as HTML: the preview page and the PDF both use this template."""
    document = build_document(agreement)
    with translation.override(agreement.language):
        return render_to_string(
            "pdf/agreement.html",
            {
                "agreement": agreement,
                "document": document,
                "signatures": signatures if signatures is not None else [],
                "for_pdf": for_pdf,
                "verify_url": f"{settings.SITE_URL}/verify/",
            },
        )


def render_agreement_pdf(agreement) -> bytes:
    """PDF/A-3b with embedded fonts, signature page included, sealed (PAdES) with the
    alliance's or the platform's certificate: these are the bytes to store and hash."""
    signatures = list(agreement.signatures.select_related("user"))
    html = render_agreement_html(agreement, for_pdf=True, signatures=signatures)
    return seal_pdf(html_to_pdf(html), alliance=agreement.alliance)
