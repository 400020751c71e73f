"""A commitment paper as a document: one rendering shared by the signing page, the content
hash a signature seals and the PDF with its signatories."""

import hashlib
import json
from dataclasses import asdict, dataclass

from django.template.loader import render_to_string
from django.utils import translation

from klimaalliance.choices import FocusArea
from klimaalliance.pdf import html_to_pdf
from klimaalliance.seal import seal_pdf

PDF_LANGUAGE = "da"


@dataclass
class PaperDocument:
    language: str
    title: str
    text: str
    group: str
    alliance: str
    municipality: str
    focus_area: str
    target_year: int | None

    def canonical_bytes(self) -> bytes:
        """What a signature seals: every word of the paper, in a stable serialisation."""
        return json.dumps(asdict(self), ensure_ascii=False, sort_keys=True).encode()


@dataclass
class Signatory:
    signature: object
    company: str
    is_former: bool


def document_language(paper, language) -> str:
    """English only when the paper has an English version; Danish otherwise."""
    return "en" if language == "en" and paper.title_en and paper.text_en else "da"


def build_paper_document(paper, language) -> PaperDocument:
    language = document_language(paper, language)
    group = paper.group
    with translation.override(language):
        title, text = paper.in_language(language)
        return PaperDocument(
            language=language,
            title=title,
            text=text,
            group=group.name,
            alliance=group.alliance.name,
            municipality=group.alliance.municipality,
            focus_area=str(FocusArea(paper.focus_area).label) if paper.focus_area else "",
            target_year=paper.target_year,
        )


def content_sha256(paper, language) -> str:
    return hashlib.sha256(build_paper_document(paper, language).canonical_bytes()).hexdigest()


def signatories(paper) -> list[Signatory]:
    """The paper's signatures in signing order; companies no longer in the group are former."""
    current = set(
        paper.group.members.filter(left_on__isnull=True).values_list("company_id", flat=True)
    )
    return [
        Signatory(
            signature=signature,
            company=signature.company.legal_name,
            is_former=signature.company_id not in current,
        )
        for signature in paper.signatures.select_related("company", "user").order_by(
            "signed_at", "pk"
        )
    ]


def render_paper_html(paper, *, for_pdf: bool, language=PDF_LANGUAGE, rows=None) -> str:
    """The paper as HTML: the signing page and the PDF both use this template."""
    document = build_paper_document(paper, language)
    translated = None
    if for_pdf and document.language == "da" and paper.title_en and paper.text_en:
        translated = build_paper_document(paper, "en")
    with translation.override(document.language):
        return render_to_string(
            "pdf/commitment_paper.html",
            {
                "paper": paper,
                "document": document,
                "translated": translated,
                "signatories": rows if rows is not None else [],
                "for_pdf": for_pdf,
            },
        )


def render_paper_pdf(paper) -> tuple[bytes, int]:
    """PDF/A-3b with embedded fonts and the signatories, sealed (PAdES) with the alliance's
    or the platform's certificate; returns the bytes to store and hash and how many
    signatures it shows."""
    rows = signatories(paper)
    html = render_paper_html(paper, for_pdf=True, rows=rows)
    pdf = seal_pdf(html_to_pdf(html), alliance=paper.group.alliance)
    return pdf, len(rows)
