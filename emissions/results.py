"""An alliance's published climate results: the public progress of its alliance page
(`emissions.public.alliance_progress`, the one read behind the page, the API and the CSV) as
a tagged PDF, in Danish and English, that anyone may download from the alliance page.

Staff publish it when they choose (after a reporting round, before a council meeting); the
worker renders it after the commit. It is a snapshot and says so: "figures as of" the day
it was rendered. Publishing again replaces the files.
"""

from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation

from klimaalliance import outbox
from klimaalliance.notifications import absolute_url

from . import charts
from .documents import report_to_pdf, store_file
from .models.reporting import PublishedResults, published_results_path
from .public import alliance_progress

RENDER_TASK = "emissions.tasks.render_results_pdf"
LANGUAGES = ("da", "en")


def results_context(alliance, *, language: str) -> dict:
    progress = alliance_progress(alliance)
    with translation.override(language):
        chart = charts.public_chart(progress, alliance.name)
        return {
            "alliance": alliance,
            "progress": progress,
            "chart": chart,
            "chart_uri": charts.data_uri(charts.alliance_svg(chart, language)),
            "language": language,
            "as_of": timezone.localdate(),
            "page_url": absolute_url(
                ("alliance-detail", {"alliance_slug": alliance.slug}), language
            ),
        }


def render_results_html(alliance, *, language: str) -> str:
    context = results_context(alliance, language=language)
    with translation.override(language):
        return render_to_string("pdf/results_alliance.html", context)


@transaction.atomic
def results_publish(*, alliance, by) -> PublishedResults:
    """Publish the alliance's results as they stand: the PDFs are rendered after commit."""
    results, _created = PublishedResults.objects.select_for_update().get_or_create(
        alliance=alliance
    )
    results.requested_at = timezone.now()
    results.requested_by = by
    results.save(update_fields=["requested_at", "requested_by"])
    outbox.enqueue(RENDER_TASK, results.pk, unique=True)
    return results


def results_waiting(results) -> bool:
    """True while the rendering job waits for the background service."""
    return outbox.waiting_for_broker(RENDER_TASK, results.pk)


def results_pdf_store(results_id: int) -> str:
    """Render and store both languages' PDFs, replacing earlier ones. Idempotent: results
    rendered since they were last requested are not rendered again."""
    results = PublishedResults.objects.select_related("alliance").get(pk=results_id)
    if results.pdf and not results.pending:
        return results.pdf.name
    began = timezone.now()
    names = {}
    for language in LANGUAGES:
        data = report_to_pdf(render_results_html(results.alliance, language=language))
        name = published_results_path(results, f"{language}.pdf")
        names[language] = store_file(results.pdf, name, data)
    with transaction.atomic():
        locked = PublishedResults.objects.select_for_update().get(pk=results_id)
        locked.pdf.name, locked.pdf_en.name = names["da"], names["en"]
        locked.generated_at = began
        locked.save(update_fields=["pdf", "pdf_en", "generated_at"])
    return names["da"]
