"""HTML to PDF, one way for every document of the portal (agreements, papers, reports).

PDF/A-3b: fonts embedded, fit for the archive. Nothing is fetched from the network: images
such as charts come inline as data: URIs, and relative addresses resolve inside the project.

What every document shares is loaded once per process, not once per document: the fonts
(`font_config`) and the shared stylesheet (`base_stylesheet`, templates/pdf/base.css). A
worker process loads both as it starts (`warm_up`), so its first PDF is no slower than the
next, and then moves all it loaded out of the cycle collector's reach (`gc.freeze`).
"""

import functools
import gc

from django.conf import settings

PDF_VARIANT = "pdf/a-3b"
# Tagged PDF/UA-1 for documents people read (reports): structure tree, /Lang, MarkInfo.
ACCESSIBLE_VARIANT = "pdf/ua-1"
ALLOWED_PROTOCOLS = ("data", "file")
BASE_STYLESHEET = "templates/pdf/base.css"


def html_to_pdf(html: str, *, variant: str = PDF_VARIANT) -> bytes:
    """`html` (a whole document; its own <style> adds to and overrides the shared
    stylesheet) as PDF bytes: PDF/A-3b, or the WeasyPrint `variant` given
    (ACCESSIBLE_VARIANT for reports)."""
    from weasyprint import HTML

    document = HTML(string=html, base_url=str(settings.BASE_DIR), url_fetcher=url_fetcher())
    return document.write_pdf(
        pdf_variant=variant, font_config=font_config(), stylesheets=[base_stylesheet()]
    )


@functools.cache
def font_config():
    """One Fontconfig configuration per process: WeasyPrint otherwise loads every system
    font (and starts with empty glyph and shaping caches) for each document, about a
    quarter of a document's time. Our stylesheets declare no @font-face, so nothing a
    document adds can leak into the next one."""
    from weasyprint.text.fonts import FontConfiguration

    return FontConfiguration()


def url_fetcher():
    """A fetcher per document: WeasyPrint's keeps per-request state, so none is shared."""
    from weasyprint.urls import URLFetcher

    return URLFetcher(allowed_protocols=ALLOWED_PROTOCOLS)


@functools.cache
def base_stylesheet():
    """The rules every PDF shares, parsed once per process. WeasyPrint applies it with the
    user origin: beneath each document's own <style>, above the browser defaults."""
    from weasyprint import CSS

    return CSS(
        filename=str(settings.BASE_DIR / BASE_STYLESHEET),
        font_config=font_config(),
        url_fetcher=url_fetcher(),
    )


def warm_up() -> None:
    """Load the fonts and the shared stylesheet and render one small document, so that the
    process's first real PDF does not pay for them (a Celery worker process calls this as
    it starts). Then freeze what the process holds: WeasyPrint allocates enough to set off
    a full collection of the cycle collector every five reports or so, and each walked all
    of Django, Celery and WeasyPrint again (about 80 ms: a tenth of the reports' time);
    frozen, it walks only what came after."""
    html_to_pdf("<!doctype html><html lang=da><title>-</title><p>Æ ø å – 1 234,5</p></html>")
    gc.collect()
    gc.freeze()
