"""The public verification page at /verify/: is this an authentic signed agreement?

Anyone can check a verification code (GET ?code=…) or upload the PDF itself (POST); only
countersigned agreements are ever reported as authentic. The page reads and never writes.
"""

from django.http.multipartparser import MultiPartParserError
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from klimaalliance.seal import check_seal

from ..forms import VerifyForm
from ..models import Agreement
from ..selectors import countersigned_agreement_by_pdf

TEMPLATE = "partnerships/verify.html"


def _sealed():
    """Agreements both parties have signed, with what the result page shows."""
    return Agreement.objects.filter(status__in=Agreement._sealed_statuses()).select_related(
        "alliance", "company"
    )


def _by_code(code: str) -> Agreement | None:
    return _sealed().filter(verification_code=code).first()


def _result_context(checked, agreement, seal=None):
    return {
        "checked": checked,
        "agreement": agreement,
        "signatures": agreement.signatures.all() if agreement else [],
        "seal": seal,
    }


def _check(form):
    """(what was checked, the matching agreement, the file's seal check) for a valid form:
    a file is both looked up by its hash and its digital seal validated."""
    if form.cleaned_data.get("file"):
        data = b"".join(form.cleaned_data["file"].chunks())
        return "file", countersigned_agreement_by_pdf(data), check_seal(data)
    return "code", _by_code(form.cleaned_data["code"]), None


def _bound_form(request):
    """The form for this request: POST with its files, GET with ?code=, else unbound."""
    if request.method == "POST":
        return VerifyForm(request.POST, request.FILES)
    if "code" in request.GET:
        return VerifyForm(request.GET)
    return VerifyForm()


# CSRF exemption is deliberate: the page has no side effects (it only reads), and anonymous
# visitors must get no cookies at all, which a CSRF token would set. The template therefore
# has no {% csrf_token %} and the view touches neither the session nor messages.
@csrf_exempt
@require_http_methods(["GET", "POST"])
def verify(request):
    """Report whether a code or an uploaded file belongs to a signed agreement; never 500s
    on bad input (malformed uploads get the form back with a 400)."""
    try:
        form = _bound_form(request)
        valid = form.is_bound and form.is_valid()
    except MultiPartParserError:
        return render(request, TEMPLATE, {"form": VerifyForm(), "bad_upload": True}, status=400)
    context = {"form": form}
    if valid:
        context.update(_result_context(*_check(form)))
    return render(request, TEMPLATE, context, status=200 if valid or not form.is_bound else 400)
