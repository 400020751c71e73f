"""Staff pages under /<alliance>/staff/agreements/ (namespace `partnerships`).

Every agreement is found through `_agreement`, which scopes it to `request.alliance`, so
staff only ever reach their own alliance's agreements (others get 404). The workflow rules
live in `partnerships.services`; these views turn their refusals into clear messages and
change nothing when refused.
"""

import datetime

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from klimaalliance.permissions import alliance_staff_required
from klimaalliance.search import all_words_in, search_words

from .. import services
from ..documents import PLACEHOLDERS, render_agreement_html
from ..forms import (
    AgreementForm,
    CatalogueItemForm,
    ClauseFormSet,
    CommentForm,
    PledgeForm,
    SignatureForm,
    TemplateForm,
    TerminateForm,
    signer_audit,
)
from ..models import Agreement, AgreementFocusArea, AgreementTemplate, CatalogueItem, Pledge
from ..staff_forms import AgreementFilterForm, CatalogueChoiceForm

Status = Agreement.Status
PAGE_SIZE = 25
RENEWAL_DAYS = 90
STATUS_BADGES = {
    Status.DRAFT: "text-bg-secondary",
    Status.SENT: "text-bg-info",
    Status.SIGNED: "text-bg-warning",
    Status.ACTIVE: "text-bg-success",
    Status.EXPIRED: "text-bg-dark",
    Status.TERMINATED: "text-bg-danger",
    Status.SUPERSEDED: "text-bg-light",
}
AGREEMENT_FIELDS = (
    "language",
    "partnership_form",
    "start_date",
    "end_date",
    "municipality_commitments",
)


# --- Helpers ---------------------------------------------------------------------------------


def _agreement(request, pk) -> Agreement:
    """The agreement `pk` of the request's alliance, or 404: the one lookup of every view."""
    queryset = Agreement.objects.select_related("alliance", "company", "template", "replaces")
    return get_object_or_404(queryset, pk=pk, alliance=request.alliance)


def _url(request, name, *args):
    return reverse(f"partnerships:{name}", args=[request.alliance.slug, *args])


def _to_detail(request, agreement):
    return redirect("partnerships:agreement-detail", request.alliance.slug, agreement.pk)


def _preview(agreement) -> str:
    """The agreement exactly as the PDF prints it; our own autoescaped template, so trusted."""
    return mark_safe(render_agreement_html(agreement, for_pdf=False))  # noqa: S308


def _error_text(error: ValidationError) -> str:
    return " ".join(error.messages)


def _add_service_error(form, error: ValidationError):
    """Attach a service refusal to the form: on its fields when it has them, else on top."""
    fields = getattr(error, "error_dict", {})
    if fields and all(name in form.fields for name in fields):
        form.add_error(None, error)
    else:
        form.add_error(None, error.messages)


def _refuse_unless_draft(request, agreement):
    """A redirect with a message when the agreement is no longer a draft; else None."""
    if agreement.is_editable:
        return None
    messages.error(
        request,
        _(
            "The agreement is %(status)s, so it cannot be changed any more. "
            "Reopen it while it awaits the company's signature, or make an amendment once "
            "it is active."
        )
        % {"status": agreement.get_status_display()},
    )
    return _to_detail(request, agreement)


def _pdf_context(request, agreement):
    return {
        "agreement": agreement,
        "pdf_url": _url(request, "agreement-pdf", agreement.pk),
        "status_url": _url(request, "agreement-pdf-status", agreement.pk),
    }


# --- Templates -------------------------------------------------------------------------------


@alliance_staff_required
@require_GET
def template_list(request):
    templates = request.alliance.templates.select_related("created_by").annotate(
        clause_count=Count("clauses", distinct=True),
        agreement_count=Count("agreements", distinct=True),
    )
    return render(
        request,
        "partnerships/template_list.html",
        {"alliance": request.alliance, "templates": templates},
    )


def _template_initial(latest):
    """The latest version's title and clauses, so staff edit rather than retype."""
    if latest is None:
        return {}, []
    clauses = [
        {"heading": c.heading, "heading_en": c.heading_en, "text": c.text, "text_en": c.text_en}
        for c in latest.clauses.all()
    ]
    return {"title": latest.title, "title_en": latest.title_en}, clauses


def _kept_clauses(formset):
    """The formset's clauses in order, without deleted and untouched empty forms."""
    names = ("heading", "heading_en", "text", "text_en")
    return [
        {name: form.cleaned_data[name] for name in names}
        for form in formset.forms
        if form.cleaned_data and not form.cleaned_data.get("DELETE")
    ]


def _save_template(request, form, formset):
    """The new version, or None with the refusal attached to the form."""
    try:
        return services.template_new_version(
            alliance=request.alliance,
            by=request.user,
            title=form.cleaned_data["title"],
            title_en=form.cleaned_data["title_en"],
            clauses=_kept_clauses(formset),
        )
    except ValidationError as error:
        _add_service_error(form, error)
        return None


@alliance_staff_required
@require_http_methods(["GET", "POST"])
def template_create(request):
    """A new template version, starting from the latest one. Older versions never change."""
    latest = services.current_template(request.alliance)
    initial, clauses = _template_initial(latest)
    form = TemplateForm(request.POST or None, initial=initial)
    formset = ClauseFormSet(request.POST or None, initial=clauses, prefix="clauses")
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        template = _save_template(request, form, formset)
        if template is not None:
            messages.success(
                request,
                _("Version %(version)s of the template has been saved.")
                % {"version": template.version},
            )
            return redirect("partnerships:template-detail", request.alliance.slug, template.pk)
    context = {
        "alliance": request.alliance,
        "form": form,
        "formset": formset,
        "latest": latest,
        "placeholders": [f"{{{name}}}" for name in PLACEHOLDERS],
    }
    return render(request, "partnerships/template_form.html", context)


@alliance_staff_required
@require_GET
def template_detail(request, template_id):
    template = get_object_or_404(
        AgreementTemplate.objects.select_related("created_by"),
        pk=template_id,
        alliance=request.alliance,
    )
    context = {
        "alliance": request.alliance,
        "template": template,
        "clauses": template.clauses.all(),
        "latest": services.current_template(request.alliance),
    }
    return render(request, "partnerships/template_detail.html", context)


# --- Catalogue -------------------------------------------------------------------------------


@alliance_staff_required
@require_http_methods(["GET", "POST"])
def catalogue_list(request):
    """The alliance's standard pledges by focus area, and a form to add one."""
    form = CatalogueItemForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        form.instance.alliance = request.alliance
        item = form.save()
        messages.success(
            request, _("“%(title)s” has been added to the catalogue.") % {"title": item.title}
        )
        return redirect("partnerships:catalogue-list", request.alliance.slug)
    context = {
        "alliance": request.alliance,
        "items": CatalogueItem.objects.filter(alliance=request.alliance),
        "form": form,
    }
    return render(request, "partnerships/catalogue_list.html", context)


# --- The agreement list ----------------------------------------------------------------------


def _filtered_agreements(alliance, params):
    """The alliance's agreements matching the query string, and the bound filter form."""
    form = AgreementFilterForm(params)
    form.is_valid()
    data = {name: form.cleaned_data.get(name) or "" for name in form.fields}
    agreements = Agreement.objects.filter(alliance=alliance)
    if data["status"]:
        agreements = agreements.filter(status=data["status"])
    if data["form"]:
        agreements = agreements.filter(partnership_form=data["form"])
    if data["focus"]:
        agreements = agreements.filter(focus_area_links__area=data["focus"])
    if words := search_words(data["q"]):
        agreements = agreements.filter(all_words_in("company__search_text", words))
    agreements = agreements.select_related("company").prefetch_related(
        Prefetch("focus_area_links", queryset=AgreementFocusArea.objects.order_by("area"))
    )
    return agreements.order_by("-created_at", "-pk"), form


def _status_counts(alliance):
    counts = dict(
        Agreement.objects.filter(alliance=alliance)
        .values("status")
        .annotate(n=Count("id"))
        .values_list("status", "n")
    )
    return [(value, label, counts.get(value, 0)) for value, label in Status.choices], sum(
        counts.values()
    )


@alliance_staff_required
@require_GET
def agreement_list(request):
    """Every agreement of the alliance; the same few queries however many there are."""
    agreements, filter_form = _filtered_agreements(request.alliance, request.GET)
    page = Paginator(agreements, PAGE_SIZE).get_page(request.GET.get("page"))
    status_counts, total = _status_counts(request.alliance)
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "alliance": request.alliance,
        "page": page,
        "filter_form": filter_form,
        "status_counts": status_counts,
        "total": total,
        "query": query.urlencode(),
        "badges": STATUS_BADGES,
    }
    return render(request, "partnerships/agreement_list.html", context)


@alliance_staff_required
@require_GET
def agreement_renewals(request):
    """Active agreements ending within 90 days, soonest first: time to talk renewal."""
    today = timezone.localdate()
    horizon = today + datetime.timedelta(days=RENEWAL_DAYS)
    agreements = (
        Agreement.objects.filter(
            alliance=request.alliance, status=Status.ACTIVE, end_date__lte=horizon
        )
        .select_related("company")
        .order_by("end_date", "pk")
    )
    context = {
        "alliance": request.alliance,
        "agreements": agreements,
        "days": RENEWAL_DAYS,
        "today": today,
    }
    return render(request, "partnerships/agreement_renewals.html", context)


# --- Drafting --------------------------------------------------------------------------------


def _agreement_fields(form):
    return {name: form.cleaned_data[name] for name in AGREEMENT_FIELDS}


def _create_initial(request, companies):
    """Today and three years on as the period; ?company=<pk> preselects a member company
    (ignored if it is not one)."""
    today = timezone.localdate()
    initial = {
        "start_date": today,
        "end_date": today.replace(year=today.year + services.DEFAULT_YEARS),
    }
    company = request.GET.get("company", "")
    if company.isdigit() and companies.filter(pk=company).exists():
        initial["company"] = company
    return initial


def _render_agreement_form(request, form, agreement=None):
    context = {"alliance": request.alliance, "form": form, "agreement": agreement}
    return render(request, "partnerships/agreement_form.html", context)


@alliance_staff_required
@require_http_methods(["GET", "POST"])
def agreement_create(request):
    """A draft agreement with a member company, on the alliance's current template."""
    if request.method == "GET":
        form = AgreementForm(alliance=request.alliance)
        form.initial.update(_create_initial(request, form.fields["company"].queryset))
        return _render_agreement_form(request, form)
    form = AgreementForm(request.POST, alliance=request.alliance)
    if form.is_valid():
        try:
            agreement = services.agreement_create(
                alliance=request.alliance,
                company=form.cleaned_data["company"],
                by=request.user,
                focus_areas=form.cleaned_data["focus_areas"],
                **_agreement_fields(form),
            )
        except ValidationError as error:
            _add_service_error(form, error)
        else:
            messages.success(request, _("The draft agreement has been created."))
            return _to_detail(request, agreement)
    return _render_agreement_form(request, form)


@alliance_staff_required
@require_http_methods(["GET", "POST"])
def agreement_edit(request, pk):
    agreement = _agreement(request, pk)
    refusal = _refuse_unless_draft(request, agreement)
    if refusal:
        return refusal
    form = AgreementForm(request.POST or None, instance=agreement, alliance=request.alliance)
    if request.method == "POST" and form.is_valid():
        try:
            services.agreement_update(
                agreement=agreement,
                focus_areas=form.cleaned_data["focus_areas"],
                **_agreement_fields(form),
            )
        except ValidationError as error:
            _add_service_error(form, error)
        else:
            messages.success(request, _("The draft agreement has been saved."))
            return _to_detail(request, agreement)
    return _render_agreement_form(request, form, agreement)


# --- The agreement page ----------------------------------------------------------------------


def _pledge_rows(request, agreement):
    """(pledge, edit URL, delete URL) for the shared pledge list; no links once sent."""
    pledges = agreement.pledges.all()
    if not agreement.is_editable:
        return [(pledge, None, None) for pledge in pledges]
    return [
        (
            pledge,
            _url(request, "pledge-edit", agreement.pk, pledge.pk),
            _url(request, "pledge-delete", agreement.pk, pledge.pk),
        )
        for pledge in pledges
    ]


def _amendment(agreement):
    return Agreement.objects.filter(replaces=agreement).only("pk", "version", "status").first()


@alliance_staff_required
@require_GET
def agreement_detail(request, pk):
    """Status and its actions, the document as printed, pledges, comments and signatures."""
    return _render_detail(request, _agreement(request, pk))


def _render_detail(request, agreement, catalogue_form=None, status=200):
    """The agreement page; `catalogue_form` bound when a catalogue choice was refused, so
    its errors stand at its fields and what was chosen and typed stays."""
    if catalogue_form is None and agreement.is_editable:
        catalogue_form = CatalogueChoiceForm(alliance=request.alliance)
    context = {
        **_pdf_context(request, agreement),
        "alliance": request.alliance,
        "badge": STATUS_BADGES.get(agreement.status, "text-bg-secondary"),
        "preview": _preview(agreement),
        "pledge_rows": _pledge_rows(request, agreement),
        "catalogue_form": catalogue_form,
        "comments": agreement.comments.select_related("author"),
        "comment_form": CommentForm(),
        "comment_url": _url(request, "comment-create", agreement.pk),
        "signatures": agreement.signatures.select_related("user"),
        "may_countersign": services.may_countersign(request.user, request.alliance),
        "amendment": _amendment(agreement),
    }
    return render(request, "partnerships/agreement_detail.html", context, status=status)


# --- Pledges (only while the agreement is a draft) -------------------------------------------


def _save_pledge(request, agreement, form) -> bool:
    """Save the form's pledge on the agreement; False (with a message) if the model refuses."""
    pledge = form.save(commit=False)
    pledge.agreement = agreement
    if not pledge.pk:
        pledge.order = agreement.pledges.count() + 1
    try:
        pledge.save()
    except ValidationError as error:
        messages.error(request, _error_text(error))
        return False
    messages.success(request, _("The pledge “%(title)s” has been saved.") % {"title": pledge.title})
    return True


def _pledge_form(request, agreement, pledge=None):
    refusal = _refuse_unless_draft(request, agreement)
    if refusal:
        return refusal
    form = PledgeForm(request.POST or None, instance=pledge)
    if request.method == "POST" and form.is_valid() and _save_pledge(request, agreement, form):
        return _to_detail(request, agreement)
    context = {"alliance": request.alliance, "agreement": agreement, "pledge": pledge, "form": form}
    return render(request, "partnerships/pledge_form.html", context)


@alliance_staff_required
@require_http_methods(["GET", "POST"])
def pledge_create(request, pk):
    return _pledge_form(request, _agreement(request, pk))


@alliance_staff_required
@require_http_methods(["GET", "POST"])
def pledge_edit(request, pk, pledge_id):
    agreement = _agreement(request, pk)
    pledge = get_object_or_404(Pledge, pk=pledge_id, agreement=agreement)
    return _pledge_form(request, agreement, pledge)


@alliance_staff_required
@require_POST
def pledge_delete(request, pk, pledge_id):
    agreement = _agreement(request, pk)
    pledge = get_object_or_404(Pledge, pk=pledge_id, agreement=agreement)
    refusal = _refuse_unless_draft(request, agreement)
    if refusal:
        return refusal
    try:
        pledge.delete()
    except ValidationError as error:
        messages.error(request, _error_text(error))
    else:
        messages.success(
            request, _("The pledge “%(title)s” has been removed.") % {"title": pledge.title}
        )
    return _to_detail(request, agreement)


@alliance_staff_required
@require_POST
def pledge_from_catalogue(request, pk):
    """A pledge pre-filled from the catalogue (target computed from a given baseline)."""
    agreement = _agreement(request, pk)
    refusal = _refuse_unless_draft(request, agreement)
    if refusal:
        return refusal
    form = CatalogueChoiceForm(request.POST, alliance=request.alliance)
    if not form.is_valid():
        return _render_detail(request, agreement, catalogue_form=form, status=400)
    try:
        pledge = services.pledge_from_catalogue(agreement=agreement, **form.cleaned_data)
    except ValidationError as error:
        messages.error(request, _error_text(error))
        return _to_detail(request, agreement)
    if pledge.is_complete:
        messages.success(
            request, _("The pledge “%(title)s” has been added.") % {"title": pledge.title}
        )
        return _to_detail(request, agreement)
    messages.success(request, _("The pledge has been added. Check it and complete the figures."))
    return redirect("partnerships:pledge-edit", request.alliance.slug, agreement.pk, pledge.pk)


# --- Comments --------------------------------------------------------------------------------


@alliance_staff_required
@require_POST
def comment_create(request, pk):
    agreement = _agreement(request, pk)
    form = CommentForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Write a comment first."))
        return _to_detail(request, agreement)
    try:
        services.comment_add(agreement=agreement, by=request.user, text=form.cleaned_data["text"])
    except ValidationError as error:
        messages.error(request, _error_text(error))
    else:
        messages.success(request, _("Your comment has been added."))
    return _to_detail(request, agreement)


# --- Workflow --------------------------------------------------------------------------------


def _workflow_step(request, agreement, action, success):
    """Run a service step; its refusal becomes an error message and nothing changes."""
    try:
        action(agreement=agreement, by=request.user)
    except ValidationError as error:
        messages.error(request, _error_text(error))
    else:
        messages.success(request, success)
    return _to_detail(request, agreement)


@alliance_staff_required
@require_POST
def agreement_send(request, pk):
    return _workflow_step(
        request,
        _agreement(request, pk),
        services.agreement_send,
        _("The agreement has been sent to the company for signature."),
    )


@alliance_staff_required
@require_POST
def agreement_reopen(request, pk):
    return _workflow_step(
        request,
        _agreement(request, pk),
        services.agreement_reopen,
        _("The agreement is a draft again and can be changed."),
    )


@alliance_staff_required
@require_POST
def agreement_amend(request, pk):
    """A new draft version of an active agreement; the signed version stays as it is."""
    agreement = _agreement(request, pk)
    try:
        amendment = services.agreement_amend(agreement=agreement, by=request.user)
    except ValidationError as error:
        messages.error(request, _error_text(error))
        return _to_detail(request, agreement)
    messages.success(
        request,
        _(
            "Version %(version)s has been drafted. The signed version stays in force until the "
            "amendment is countersigned."
        )
        % {"version": amendment.version},
    )
    return _to_detail(request, amendment)


@alliance_staff_required
@require_http_methods(["GET", "POST"])
def agreement_terminate(request, pk):
    agreement = _agreement(request, pk)
    if agreement.status != Status.ACTIVE:
        messages.error(request, _("Only an active agreement can be terminated."))
        return _to_detail(request, agreement)
    form = TerminateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.agreement_terminate(
                agreement=agreement, by=request.user, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            _add_service_error(form, error)
        else:
            messages.success(request, _("The agreement has been terminated."))
            return _to_detail(request, agreement)
    context = {"alliance": request.alliance, "agreement": agreement, "form": form}
    return render(request, "partnerships/terminate.html", context)


# --- Countersigning --------------------------------------------------------------------------


def _countersign_page(request, agreement, form, *, changed=False, denied=False, status=200):
    context = {
        "alliance": request.alliance,
        "agreement": agreement,
        "preview": None if denied else _preview(agreement),
        "form": form,
        "changed": changed,
        "denied": denied,
    }
    return render(request, "partnerships/countersign.html", context, status=status)


def _denied(request, agreement):
    return _countersign_page(request, agreement, None, denied=True, status=403)


def _countersign(request, agreement, form):
    """Call the service with what the signer saw; turn its refusals into responses."""
    data = form.cleaned_data
    try:
        services.agreement_countersign(
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
            return _countersign_page(request, agreement, fresh, changed=True, status=409)
        messages.error(request, _error_text(error))
        # Already countersigned, or not signed by the company: the form cannot help; the
        # agreement's page shows where it stands.
        return _to_detail(request, agreement)
    messages.success(
        request,
        _("The agreement is countersigned and active. The signed PDF is being generated."),
    )
    return _to_detail(request, agreement)


@sensitive_post_parameters("typed_name", "title")
@alliance_staff_required
@require_http_methods(["GET", "POST"])
def agreement_countersign(request, pk):
    """GET: the agreement as it will be printed and the signature form. POST: countersign."""
    agreement = _agreement(request, pk)
    if not services.may_countersign(request.user, request.alliance):
        return _denied(request, agreement)
    if request.method == "POST":
        form = SignatureForm(request.POST)
        if form.is_valid():
            return _countersign(request, agreement, form)
        return _countersign_page(request, agreement, form, status=400)
    if agreement.status != Status.SIGNED:
        messages.info(request, _("The company has to sign before the municipality countersigns."))
        return _to_detail(request, agreement)
    return _countersign_page(
        request, agreement, SignatureForm.for_agreement(agreement, request.user.get_full_name())
    )


# --- The signed PDF --------------------------------------------------------------------------


@never_cache
@alliance_staff_required
@require_GET
def agreement_pdf(request, pk):
    """The archived signed PDF as a download, only through this view; 404 until it exists."""
    agreement = _agreement(request, pk)
    if not agreement.pdf:
        raise Http404
    return FileResponse(
        agreement.pdf.open("rb"),
        as_attachment=True,
        filename=f"klimapartnerskabsaftale-{agreement.verification_code}.pdf",
        content_type="application/pdf",
    )


@never_cache
@alliance_staff_required
@require_GET
def agreement_pdf_status(request, pk):
    """The PDF status partial that htmx polls until the PDF exists."""
    agreement = _agreement(request, pk)
    return render(request, "partnerships/_pdf_status.html", _pdf_context(request, agreement))
