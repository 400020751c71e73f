"""The alliance's published results (emissions.results): staff publish them and follow the
rendering; anyone downloads the PDF, in Danish or English, from the alliance page."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from klimaalliance import outbox
from klimaalliance.filenames import file_slug
from klimaalliance.models import Alliance
from klimaalliance.permissions import alliance_staff_required

from .. import results as service
from ..models.reporting import PublishedResults
from ..public import alliance_progress
from .documents import pdf_response


def _context(alliance):
    results = PublishedResults.objects.filter(alliance=alliance).first()
    return {"alliance": alliance, "results": results}


@require_GET
@alliance_staff_required
def results_page(request):
    """What is published, the figures a new publication would show, and the button."""
    context = {**_context(request.alliance), "progress": alliance_progress(request.alliance)}
    return render(request, "emissions/results.html", context)


@never_cache
@require_GET
@alliance_staff_required
def results_status(request):
    return render(request, "emissions/_results_status.html", _context(request.alliance))


@require_POST
@alliance_staff_required
def results_publish(request):
    results = service.results_publish(alliance=request.alliance, by=request.user)
    if service.results_waiting(results):
        messages.warning(request, outbox.QUEUED_NOTICE)
    else:
        messages.success(
            request,
            _("The results are being published as PDF in Danish and English."),
        )
    return redirect("emissions:results", request.alliance.slug)


@require_GET
def public_results_pdf(request, alliance_slug):
    """The published results in the reader's language (Danish when there is no English)."""
    alliance = get_object_or_404(Alliance, slug=alliance_slug)
    results = PublishedResults.objects.filter(alliance=alliance).first()
    if results is None or not results.pdf:
        raise Http404
    language = "en" if get_language().startswith("en") and results.pdf_en else "da"
    field_file = results.pdf_en if language == "en" else results.pdf
    # Translators: the start of a file name, in lower case with hyphens.
    stem = _("climate-results")
    filename = f"{stem}-{file_slug(alliance.name)}-{language}.pdf"
    response = pdf_response(field_file, filename, as_attachment=False)
    response["Cache-Control"] = "public, max-age=300"
    return response
