"""HTML to PDF, one way for every document of the portal (agreements, papers, reports).

PDF/A-3b: fonts embedded, fit for the archive. Nothing is fetched from the network: images
such as charts come inline as data: URIs, and relative addresses resolve inside the project.
"""

import functools

from django.conf import settings

PDF_VARIANT = "pdf/a-3b"
# Tagged PDF/UA-1 for documents people read (reports): structure tree, /Lang, MarkInfo.
ACCESSIBLE_VARIANT = "pdf/ua-1"
ALLOWED_PROTOCOLS = ("data", "file")


def html_to_pdf(html: str, *, variant: str = PDF_VARIANT) -> bytes:
    """`html` (a whole document with its own <style>) as PDF bytes: PDF/A-3b, or the
    WeasyPrint `variant` given (ACCESSIBLE_VARIANT for reports)."""
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    fetcher = URLFetcher(allowed_protocols=ALLOWED_PROTOCOLS)
    document = HTML(string=html, base_url=str(settings.BASE_DIR), url_fetcher=fetcher)
    return document.write_pdf(pdf_variant=variant, font_config=font_config())


@functools.cache
def font_config():
    """One Fontconfig configuration per process: WeasyPrint otherwise loads every system
    font (and starts with empty glyph and shaping caches) for each document, about a
    quarter of a document's time. Our templates declare no @font-face, so nothing a
    document adds can leak into the next one."""
    from weasyprint.text.fonts import FontConfiguration

    return FontConfiguration()
