"""HTML to PDF, one way for every document of the portal (agreements, papers, reports).

PDF/A-3b: fonts embedded, fit for the archive. Nothing is fetched from the network: images
such as charts come inline as data: URIs, and relative addresses resolve inside the project.
"""

from django.conf import settings

PDF_VARIANT = "pdf/a-3b"
ALLOWED_PROTOCOLS = ("data", "file")


def html_to_pdf(html: str) -> bytes:
    """`html` (a whole document with its own <style>) as PDF/A-3b bytes."""
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    fetcher = URLFetcher(allowed_protocols=ALLOWED_PROTOCOLS)
    document = HTML(string=html, base_url=str(settings.BASE_DIR), url_fetcher=fetcher)
    return document.write_pdf(pdf_variant=PDF_VARIANT)
