"""HTML to PDF, one way for every document of the portal (agreements, papers, reports).

PDF/A-3b: fonts embedded, fit for the archive. Nothing is fetched from the network: images
such as charts come inline as data: URIs, and relative addresses resolve inside the project.
"""

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
    return document.write_pdf(pdf_variant=variant)
