"""A representative's agreement pages under /my/agreements/ (namespace `my-agreements`).

Every view finds its agreement through `_own_agreement`, so a representative only ever
reaches agreements of companies they represent; anyone else gets 404, which does not
reveal whether the agreement exists. The rules of the workflow live in
`partnerships.services`; these views translate their refusals into clear messages.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from companies import access
from companies.models import Representation

from .. import services
from ..documents import render_agreement_html
from ..forms import CommentForm, PledgeForm, SignatureForm, signer_audit
from ..models import Agreement, CatalogueItem, Pledge


def _own_agreement(request, pk) -> Agreement:
    """The agreement `pk` if the signed-in user represents its company; 404 otherwise."""
    queryset = Agreement.objects.select_related("alliance", "company", "template")
    return get_object_or_404(
        queryset, pk=pk, company__in=access.represented_companies(request.user)
    )


def _preview(agreement) -> str:
    """The agreement exactly as the PDF prints it (our own template's output, so trusted)."""
    return mark_safe(render_agreement_html(agreement, for_pdf=False))  # noqa: S308


def _signers(agreement):
    """The users who may sign for the agreement's company, for "ask … to sign"."""
    return [
        representation.user
        for representation in Representation.objects.filter(
            company=agreement.company, may_sign=True
        ).select_related("user")
    ]


def _to_detail(agreement):
    return redirect("my-agreements:agreement-detail", pk=agreement.pk)


def _first_message(error: ValidationError) -> str:
    return " ".join(error.messages)


# --- The agreement ---------------------------------------------------------------------------


@require_GET
@login_required
def agreement_detail(request, pk):
    """Status, the document as it will be printed, pledges, comments, signatures, the PDF."""
    agreement = _own_agreement(request, pk)
    context = {
        "agreement": agreement,
        "preview": _preview(agreement),
        "pledges": agreement.pledges.all(),
        "comments": agreement.comments.select_related("author"),
        "comment_form": CommentForm(),
        "signatures": agreement.signatures.all(),
        "may_sign": services.may_sign_for_company(request.user, agreement.company),
        "signers": _signers(agreement),
        "catalogue": (agreement.alliance.catalogue_items.all() if agreement.is_editable else []),
    }
    return render(request, "partnerships/my_agreement_detail.html", context)


def _sign_page(request, agreement, form, *, changed=False, status=200):
    context = {
        "agreement": agreement,
        "preview": _preview(agreement),
        "form": form,
        "changed": changed,
    }
    return render(request, "partnerships/my_sign.html", context, status=status)


def _denied(request, agreement):
    """The 403 page for a representative who may not sign; names those who may."""
    context = {"agreement": agreement, "signers": _signers(agreement)}
    return render(request, "partnerships/my_sign_denied.html", context, status=403)


def _sign(request, agreement, form):
    """Call the service with what the signer saw; turn its refusals into responses."""
    data = form.cleaned_data
    try:
        services.agreement_sign(
            agreement=agreement,
            user=request.user,
            typed_name=data["typed_name"],
            title=data["title"],
            seen_sha256=data["content_sha256"],
            **signer_audit(request),
        )
    except PermissionDenied:
        return _denied(request, agreement)
    except ValidationError as error:
        if error.code == "changed":
            agreement.refresh_from_db()
            fresh = SignatureForm.for_agreement(agreement, data["typed_name"], data["title"])
            return _sign_page(request, agreement, fresh, changed=True)
        messages.error(request, _first_message(error))
        return _to_detail(agreement)
    messages.success(request, _("Thank you. You have signed the agreement for the company."))
    return _to_detail(agreement)


@sensitive_post_parameters("typed_name", "title")
@require_http_methods(["GET", "POST"])
@login_required
def agreement_sign(request, pk):
    """GET: the agreement as it will be printed and the signature form. POST: sign it."""
    agreement = _own_agreement(request, pk)
    if not services.may_sign_for_company(request.user, agreement.company):
        return _denied(request, agreement)
    if request.method == "POST":
        form = SignatureForm(request.POST)
        if form.is_valid():
            return _sign(request, agreement, form)
        return _sign_page(request, agreement, form)
    if agreement.status != Agreement.Status.SENT:
        messages.info(request, _("The agreement is not waiting for the company's signature."))
        return _to_detail(agreement)
    representation = Representation.objects.filter(
        user=request.user, company=agreement.company
    ).first()
    title = representation.title if representation else ""
    form = SignatureForm.for_agreement(agreement, request.user.get_full_name(), title)
    return _sign_page(request, agreement, form)


# --- Comments --------------------------------------------------------------------------------


@require_POST
@login_required
def comment_create(request, pk):
    """Any representative of the company may comment on the agreement."""
    agreement = _own_agreement(request, pk)
    form = CommentForm(request.POST)
    if form.is_valid():
        try:
            services.comment_add(
                agreement=agreement, by=request.user, text=form.cleaned_data["text"]
            )
        except ValidationError as error:
            messages.error(request, _first_message(error))
        else:
            messages.success(request, _("Your comment has been added."))
    else:
        messages.error(request, _("Write a comment first."))
    return _to_detail(agreement)


# --- Pledges (only while the agreement is a draft) -------------------------------------------


def _refuse_unless_draft(request, agreement):
    """A redirect with a message when the agreement is no longer a draft; else None."""
    if agreement.is_editable:
        return None
    messages.error(
        request,
        _(
            "The agreement is no longer a draft, so its pledges cannot change. "
            "Write a comment if something should be different."
        ),
    )
    return _to_detail(agreement)


def _save_pledge(request, agreement, form) -> bool:
    """Save the form's pledge on the agreement; False (with a message) if refused."""
    pledge = form.save(commit=False)
    pledge.agreement = agreement
    if not pledge.pk:
        pledge.order = agreement.pledges.count() + 1
    try:
        pledge.save()
    except ValidationError as error:
        messages.error(request, _first_message(error))
        return False
    messages.success(request, _("The pledge “%(title)s” has been saved.") % {"title": pledge.title})
    return True


def _pledge_form(request, agreement, pledge=None):
    refusal = _refuse_unless_draft(request, agreement)
    if refusal:
        return refusal
    form = PledgeForm(request.POST or None, instance=pledge)
    if request.method == "POST" and form.is_valid():
        _save_pledge(request, agreement, form)
        return _to_detail(agreement)
    context = {"agreement": agreement, "pledge": pledge, "form": form}
    return render(request, "partnerships/my_pledge_form.html", context)


@require_http_methods(["GET", "POST"])
@login_required
def pledge_create(request, pk):
    return _pledge_form(request, _own_agreement(request, pk))


@require_http_methods(["GET", "POST"])
@login_required
def pledge_edit(request, pk, pledge_id):
    agreement = _own_agreement(request, pk)
    pledge = get_object_or_404(Pledge, pk=pledge_id, agreement=agreement)
    return _pledge_form(request, agreement, pledge)


@require_POST
@login_required
def pledge_from_catalogue(request, pk):
    """Add a pledge pre-filled from the alliance's catalogue, then let the company adjust it."""
    agreement = _own_agreement(request, pk)
    refusal = _refuse_unless_draft(request, agreement)
    if refusal:
        return refusal
    item_id = request.POST.get("item", "")
    if not item_id.isdigit():
        messages.error(request, _("Choose a pledge from the catalogue."))
        return _to_detail(agreement)
    item = get_object_or_404(CatalogueItem, pk=item_id, alliance=agreement.alliance)
    try:
        pledge = services.pledge_from_catalogue(agreement=agreement, item=item)
    except ValidationError as error:
        messages.error(request, _first_message(error))
        return _to_detail(agreement)
    if pledge.is_complete:
        messages.success(
            request, _("The pledge “%(title)s” has been added.") % {"title": pledge.title}
        )
        return _to_detail(agreement)
    messages.success(request, _("The pledge has been added. Check it and fill in your figures."))
    return redirect("my-agreements:pledge-edit", pk=agreement.pk, pledge_id=pledge.pk)


@require_POST
@login_required
def pledge_delete(request, pk, pledge_id):
    agreement = _own_agreement(request, pk)
    pledge = get_object_or_404(Pledge, pk=pledge_id, agreement=agreement)
    refusal = _refuse_unless_draft(request, agreement)
    if refusal:
        return refusal
    try:
        pledge.delete()
    except ValidationError as error:
        messages.error(request, _first_message(error))
    else:
        messages.success(
            request, _("The pledge “%(title)s” has been removed.") % {"title": pledge.title}
        )
    return _to_detail(agreement)


# --- The signed PDF --------------------------------------------------------------------------


@require_GET
@login_required
def agreement_pdf(request, pk):
    """The archived signed PDF as a download; 404 until it exists."""
    agreement = _own_agreement(request, pk)
    if not agreement.pdf:
        raise Http404
    return FileResponse(
        agreement.pdf.open("rb"),
        as_attachment=True,
        filename=f"klimapartnerskabsaftale-{agreement.verification_code}.pdf",
        content_type="application/pdf",
    )


@never_cache
@require_GET
@login_required
def agreement_pdf_status(request, pk):
    """The PDF status partial that htmx polls until the PDF exists."""
    agreement = _own_agreement(request, pk)
    return render(request, "partnerships/my_pdf_status.html", {"agreement": agreement})
