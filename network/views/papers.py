"""Commitment papers: staff pages, the representative's signing page and the public PDF.

* staff (`_staff_paper`): papers of groups of `request.alliance` only; others are 404;
* representatives: any published paper; who may sign is decided by `network.papers`
  (a 403 page explains the refusal);
* the public: the PDF of an open or closed paper of the alliance in the address, no cookies.

The rules live in `network.papers`; these views turn its refusals into clear messages and
change nothing when refused.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from companies import access
from klimaalliance.filenames import file_slug
from klimaalliance.permissions import alliance_staff_required
from partnerships.forms import signer_audit

from .. import papers as services
from ..models import CommitmentPaper, WorkingGroup
from ..paper_documents import render_paper_html, signatories
from ..paper_forms import PaperForm, PaperSignatureForm, PledgeChoiceForm

Status = CommitmentPaper.Status
PUBLIC_STATUSES = (Status.OPEN, Status.CLOSED)


def _error_text(error: ValidationError) -> str:
    return " ".join(error.messages)


def _preview(paper, language) -> str:
    """The paper as printed; our own autoescaped template's output, so trusted."""
    return mark_safe(render_paper_html(paper, for_pdf=False, language=language))  # noqa: S308


def _pdf_response(paper, *, as_attachment):
    if not paper.pdf:
        raise Http404
    return FileResponse(
        paper.pdf.open("rb"),
        as_attachment=as_attachment,
        filename=f"{file_slug(paper.title, 'commitment')}.pdf",
        content_type="application/pdf",
    )


# --- Staff -----------------------------------------------------------------------------------


def _staff_paper(request, paper_id) -> CommitmentPaper:
    queryset = CommitmentPaper.objects.select_related("group__alliance")
    return get_object_or_404(queryset, pk=paper_id, group__alliance=request.alliance)


def _to_staff_detail(request, paper):
    return redirect("groups:paper-detail", request.alliance.slug, paper.pk)


def _pdf_context(request, paper):
    count = paper.signatures.count()
    return {
        "paper": paper,
        "signature_count": count,
        "pdf_current": bool(paper.pdf) and paper.pdf_signatures == count,
        "pdf_pending": paper.status != Status.DRAFT
        and not (bool(paper.pdf) and paper.pdf_signatures == count),
        "pdf_url": reverse("groups:paper-pdf", args=[request.alliance.slug, paper.pk]),
        "status_url": reverse("groups:paper-detail", args=[request.alliance.slug, paper.pk]),
    }


def _paper_form_page(request, group, form, paper=None, status=200):
    context = {"alliance": request.alliance, "group": group, "form": form, "paper": paper}
    return render(request, "network/paper_form.html", context, status=status)


@alliance_staff_required
@require_http_methods(["GET", "POST"])
def paper_create(request, pk):
    group = get_object_or_404(WorkingGroup, pk=pk, alliance=request.alliance)
    form = PaperForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            paper = services.paper_create(group=group, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error.messages)
        else:
            messages.success(request, _("The commitment paper has been saved as a draft."))
            return _to_staff_detail(request, paper)
    return _paper_form_page(request, group, form, status=400 if form.errors else 200)


@alliance_staff_required
@require_http_methods(["GET", "POST"])
def paper_edit(request, paper_id):
    paper = _staff_paper(request, paper_id)
    if paper.status != Status.DRAFT:
        messages.error(request, _("Only a draft can be changed; this paper is already published."))
        return _to_staff_detail(request, paper)
    form = PaperForm(request.POST or None, instance=paper)
    if request.method == "POST" and form.is_valid():
        try:
            services.paper_update(paper=paper, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error.messages)
        else:
            messages.success(request, _("The commitment paper has been saved."))
            return _to_staff_detail(request, paper)
    return _paper_form_page(request, paper.group, form, paper, status=400 if form.errors else 200)


@never_cache
@alliance_staff_required
@require_GET
def paper_detail(request, paper_id):
    """The paper, its status, the signatures with their audit data and the PDF's state.

    htmx polls this address for the PDF status (answered with the partial only).
    """
    paper = _staff_paper(request, paper_id)
    pdf_context = _pdf_context(request, paper)
    if request.headers.get("HX-Request"):
        return render(request, "network/paper_pdf_status.html", pdf_context)
    context = {
        **pdf_context,
        "alliance": request.alliance,
        "group": paper.group,
        "preview": _preview(paper, request.LANGUAGE_CODE),
        "signatories": signatories(paper),
    }
    return render(request, "network/paper_detail.html", context)


def _workflow(request, paper_id, action, success):
    paper = _staff_paper(request, paper_id)
    try:
        action(paper=paper, by=request.user)
    except ValidationError as error:
        messages.error(request, _error_text(error))
    else:
        messages.success(request, success)
    return _to_staff_detail(request, paper)


@alliance_staff_required
@require_POST
def paper_publish(request, paper_id):
    return _workflow(
        request,
        paper_id,
        services.paper_publish,
        _("The paper is open for signatures. Its PDF is being generated."),
    )


@alliance_staff_required
@require_POST
def paper_close(request, paper_id):
    return _workflow(
        request, paper_id, services.paper_close, _("The paper is closed for signatures.")
    )


@never_cache
@alliance_staff_required
@require_GET
def staff_paper_pdf(request, paper_id):
    return _pdf_response(_staff_paper(request, paper_id), as_attachment=True)


# --- Representatives -------------------------------------------------------------------------


def _published_paper(paper_id) -> CommitmentPaper:
    queryset = CommitmentPaper.objects.select_related("group__alliance")
    return get_object_or_404(queryset, pk=paper_id, status__in=PUBLIC_STATUSES)


def _to_group(paper):
    return redirect("my-groups:group-detail", paper.group_id)


def _sign_page(request, paper, form, *, changed=False, status=200):
    context = {
        "paper": paper,
        "group": paper.group,
        "preview": _preview(paper, request.LANGUAGE_CODE),
        "form": form,
        "changed": changed,
    }
    return render(request, "network/paper_sign.html", context, status=status)


def _denied(request, paper):
    return render(
        request,
        "network/paper_sign_denied.html",
        {"paper": paper, "group": paper.group},
        status=403,
    )


def _fresh_form(request, paper, companies, data=None):
    initial = {
        "typed_name": (data or {}).get("typed_name") or request.user.get_full_name(),
        "title": (data or {}).get("title", ""),
        "content_sha256": services.paper_content_sha256(paper, request.LANGUAGE_CODE),
    }
    if data and data.get("company"):
        initial["company"] = data["company"].pk
    elif not initial["title"]:
        representation = request.user.representations.filter(company__in=companies).first()
        initial["title"] = representation.title if representation else ""
    return PaperSignatureForm(initial=initial, companies=companies)


def _sign(request, paper, form, companies):
    data = form.cleaned_data
    try:
        services.paper_sign(
            paper=paper,
            company=data["company"],
            user=request.user,
            typed_name=data["typed_name"],
            title=data["title"],
            seen_sha256=data["content_sha256"],
            **signer_audit(request),
            language=request.LANGUAGE_CODE,
        )
    except PermissionDenied:
        return _denied(request, paper)
    except ValidationError as error:
        if error.code == "changed":
            paper.refresh_from_db()
            fresh = _fresh_form(request, paper, companies, data)
            return _sign_page(request, paper, fresh, changed=True, status=409)
        messages.error(request, _error_text(error))
        return _to_group(paper)
    messages.success(
        request,
        _("Thank you. %(company)s has signed the commitment paper.")
        % {"company": data["company"].legal_name},
    )
    return _to_group(paper)


@never_cache
@sensitive_post_parameters("typed_name", "title")
@login_required
@require_http_methods(["GET", "POST"])
def paper_sign(request, paper_id):
    """GET: the paper as it will be printed and the signature form. POST: sign it."""
    paper = _published_paper(paper_id)
    companies = services.eligible_companies(request.user, paper)
    if not companies.exists():
        return _denied(request, paper)
    if request.method == "POST":
        form = PaperSignatureForm(request.POST, companies=companies)
        if form.is_valid():
            return _sign(request, paper, form, companies)
        return _sign_page(request, paper, form, status=400)
    if paper.status != Status.OPEN:
        messages.info(request, _("The paper is closed; it can no longer be signed."))
        return _to_group(paper)
    unsigned = companies.exclude(commitments__paper=paper)
    if not unsigned.exists():
        messages.info(request, _("Your company has already signed this paper."))
        return _to_group(paper)
    return _sign_page(request, paper, _fresh_form(request, paper, unsigned))


@login_required
@require_POST
def paper_to_pledge(request, paper_id):
    """Add the signed commitment as a milestone pledge to the company's draft agreement."""
    paper = _published_paper(paper_id)
    companies = access.represented_companies(request.user).order_by("legal_name")
    form = PledgeChoiceForm(request.POST, companies=companies)
    if not form.is_valid():
        if not companies.exists():
            raise Http404
        messages.error(request, _("Choose one of the companies you represent."))
        return _to_group(paper)
    company = form.cleaned_data["company"]
    try:
        pledge = services.paper_to_pledge(paper=paper, company=company, user=request.user)
    except PermissionDenied:
        raise Http404 from None
    except ValidationError as error:
        messages.error(request, _error_text(error))
        return _to_group(paper)
    messages.success(
        request,
        _("The commitment has been added as a pledge to the draft agreement of %(company)s.")
        % {"company": company.legal_name},
    )
    return redirect("my-agreements:agreement-detail", pledge.agreement_id)


# --- Public ----------------------------------------------------------------------------------


@require_GET
def public_paper_pdf(request, alliance_slug, paper_id):
    """The PDF of an open or closed paper; 404 before it is generated. Sets no cookie."""
    paper = get_object_or_404(
        CommitmentPaper,
        pk=paper_id,
        group__alliance__slug=alliance_slug,
        status__in=PUBLIC_STATUSES,
    )
    response = _pdf_response(paper, as_attachment=False)
    response["Cache-Control"] = "public, max-age=60"
    return response
