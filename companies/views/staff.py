"""The team leader's workspace: member list, company pages, notes and dialogue log."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.formats import date_format
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from klimaalliance.links import RowLinks
from klimaalliance.permissions import alliance_staff_required
from klimaalliance.private_pages import private_page

from .. import access, services
from ..audit import company_audit_trail
from ..forms import (
    CompanyForm,
    ContactPersonForm,
    DialogueForm,
    InternalNoteForm,
    LevelForm,
    MembershipLevelForm,
    MembershipStatusForm,
)
from ..industries import Industry, SizeBand
from ..models import Company, ContactPerson, Dialogue, Membership
from ..selectors import member_queryset, status_counts

PAGE_SIZE = 25


def _company_page(membership):
    return redirect(membership.get_absolute_url())


@alliance_staff_required
@private_page
def member_list(request):
    alliance = request.alliance
    memberships, filter_form = member_queryset(alliance, request.GET)
    counts = status_counts(alliance)
    paginator = Paginator(memberships, PAGE_SIZE)
    # The list's length is known from the counts when nothing but the status narrows it
    # (invalid values are not applied, and are not in cleaned_data).
    applied = getattr(filter_form, "cleaned_data", {})
    narrowed = {name for name, value in applied.items() if value} - {"sort"}
    if narrowed <= {"status"}:
        paginator.count = counts.get(applied["status"], 0) if narrowed else sum(counts.values())
    page = paginator.get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "alliance": alliance,
        "page": page,
        "rows": _rows(page, alliance),
        "filter_form": filter_form,
        "status_counts": [
            (value, label, counts.get(value, 0)) for value, label in Membership.Status.choices
        ],
        "total": sum(counts.values()),
        "query": query.urlencode(),
    }
    return render(request, "companies/member_list.html", context)


def _rows(memberships, alliance) -> list[dict]:
    """The list's cells, ready to print: the template only fills them in (per-row lookups,
    filters and `{% url %}` were most of the page's cost). Labels are looked up and dates
    formatted once a page: `get_FOO_display()` builds a dict of every choice on each call."""
    labels = {
        code: {value: str(label) for value, label in choices}
        for code, choices in (
            ("industry", Industry.choices),
            ("size", SizeBand.choices),
            ("status", Membership.Status.choices),
        )
    }
    link = RowLinks()
    dates = {}
    rows = []
    for membership in memberships:
        company, joined = membership.company, membership.joined_on
        if joined is not None and joined not in dates:
            dates[joined] = date_format(joined, "DATE_FORMAT")
        rows.append(
            {
                "url": link("companies:company-detail", alliance.slug, membership.company_id),
                "name": company.name,
                "cvr": company.cvr,
                "industry": labels["industry"].get(company.industry, company.industry),
                "size": labels["size"].get(company.size_band, company.size_band) or "–",
                "level": (membership.level.name if membership.level else "") or "–",
                "status": capfirst(labels["status"].get(membership.status, membership.status)),
                "joined": dates[joined] if joined is not None else "–",
            }
        )
    return rows


@alliance_staff_required
def company_create(request):
    alliance = request.alliance
    existing = None
    if request.method == "POST" and request.POST.get("add_existing"):
        cvr = request.POST["add_existing"]
        if not (len(cvr) == 8 and cvr.isascii() and cvr.isdigit()):
            raise Http404  # e.g. a NUL byte, which PostgreSQL refuses in a query (a 500)
        company = get_object_or_404(Company, cvr=cvr)
        membership = services.membership_add(alliance=alliance, company=company, by=request.user)
        messages.success(
            request,
            _(
                "%(name)s is now a prospect. Its contacts, climate accounts and agreements stay "
                "hidden until the company accepts your membership invitation."
            )
            % {"name": company.name},
        )
        return _company_page(membership)
    form = CompanyForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        if form.is_valid():
            data = {name: form.cleaned_data[name] for name in form.Meta.fields}
            company = services.company_register(alliance=alliance, data=data, by=request.user)
            messages.success(request, _("%(name)s was registered.") % {"name": company.name})
            return redirect("companies:company-detail", alliance.slug, company.pk)
        if "cvr" in form.errors:
            existing = form.existing_company()
    is_member = existing is not None and existing.memberships.filter(alliance=alliance).exists()
    return render(
        request,
        "companies/company_form.html",
        {"alliance": alliance, "form": form, "existing": existing, "existing_is_member": is_member},
    )


@alliance_staff_required
def company_edit(request, pk):
    membership = access.staff_membership(request, pk)
    form = CompanyForm(request.POST or None, request.FILES or None, instance=membership.company)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("The company was saved."))
        return _company_page(membership)
    return render(
        request,
        "companies/company_form.html",
        {"alliance": request.alliance, "form": form, "company": membership.company},
    )


@alliance_staff_required
@private_page
def company_detail(request, pk):
    alliance = request.alliance
    membership = access.staff_membership(request, pk, shared=False)
    company = membership.company
    context = {
        "alliance": alliance,
        "membership": membership,
        "company": company,
        "events": membership.events.select_related("changed_by"),
        "notes": company.internal_notes.filter(alliance=alliance).select_related("author"),
        "dialogues": company.dialogues.filter(alliance=alliance).select_related("author"),
        "status_form": MembershipStatusForm(initial={"status": membership.status}),
        "level_form": MembershipLevelForm(alliance=alliance, initial={"level": membership.level}),
        "note_form": InternalNoteForm(),
        "dialogue_form": DialogueForm(),
    }
    if membership.has_access:  # what the company shares only with alliances it accepted
        context |= {
            "contacts": list(company.contacts.all()),
            "invitations": company.invitations.filter(alliance=alliance).select_related("contact"),
            "audit_trail": company_audit_trail(company, membership),
            "agreements": company.agreements.filter(alliance=alliance).order_by("-created_at"),
        }
    return render(request, "companies/company_detail.html", context)


@require_POST
@alliance_staff_required
def membership_status(request, pk):
    membership = access.staff_membership(request, pk, shared=False)
    if "level" in request.POST:
        form = MembershipLevelForm(request.POST, alliance=request.alliance)
        if form.is_valid():
            membership.level = form.cleaned_data["level"]
            membership.save(update_fields=["level"])
            messages.success(request, _("The membership level was saved."))
        else:
            messages.error(request, _("Choose one of the alliance's levels."))
        return _company_page(membership)
    form = MembershipStatusForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a valid status."))
        return _company_page(membership)
    try:
        services.membership_change_status(
            membership=membership,
            status=form.cleaned_data["status"],
            by=request.user,
            note=form.cleaned_data["note"],
            reason=form.cleaned_data["reason"],
            ended_on=form.cleaned_data["ended_on"],
        )
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("The status was changed."))
    return _company_page(membership)


@require_POST
@alliance_staff_required
def membership_invite(request, pk):
    """Ask a company from the shared register to join the alliance and share its data."""
    membership = access.staff_membership(request, pk, shared=False)
    try:
        services.membership_invite(membership=membership, by=request.user)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(
            request,
            _("The membership invitation was sent. %(name)s answers it in the portal.")
            % {"name": membership.company.name},
        )
    return _company_page(membership)


@require_POST
@alliance_staff_required
def note_create(request, pk):
    membership = access.staff_membership(request, pk, shared=False)
    form = InternalNoteForm(request.POST)
    if form.is_valid():
        form.instance.alliance = request.alliance
        form.instance.company = membership.company
        form.instance.author = request.user
        form.save()
        messages.success(request, _("The note was saved."))
    else:
        messages.error(request, _("Write the note before saving it."))
    return _company_page(membership)


@alliance_staff_required
def dialogue_create(request, pk):
    membership = access.staff_membership(request, pk, shared=False)
    form = DialogueForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        form.instance.alliance = request.alliance
        form.instance.company = membership.company
        form.instance.author = request.user
        form.save()
        messages.success(request, _("The contact was logged."))
        return _company_page(membership)
    return render(
        request,
        "companies/dialogue_form.html",
        {"alliance": request.alliance, "company": membership.company, "form": form},
    )


@require_POST
@alliance_staff_required
def dialogue_done(request, pk, dialogue_id):
    membership = access.staff_membership(request, pk, shared=False)
    dialogue = get_object_or_404(
        Dialogue, pk=dialogue_id, alliance=request.alliance, company=membership.company
    )
    dialogue.follow_up_done = True
    dialogue.save(update_fields=["follow_up_done"])
    messages.success(request, _("The follow-up is marked as done."))
    next_url = request.POST.get("next")
    if next_url == "dashboard":
        return redirect("staff-dashboard", request.alliance.slug)
    return _company_page(membership)


@alliance_staff_required
def contact_create(request, pk):
    return _contact_form(request, access.staff_membership(request, pk), ContactPerson())


@alliance_staff_required
def contact_edit(request, pk, contact_id):
    membership = access.staff_membership(request, pk)
    contact = get_object_or_404(ContactPerson, pk=contact_id, company=membership.company)
    return _contact_form(request, membership, contact)


def _contact_form(request, membership, contact):
    company = membership.company
    form = ContactPersonForm(request.POST or None, instance=contact, company=company)
    if request.method == "POST" and form.is_valid():
        form.instance.company = company
        form.save()
        messages.success(request, _("The contact was saved."))
        return _company_page(membership)
    return render(
        request,
        "companies/contact_form.html",
        {"alliance": request.alliance, "company": company, "form": form, "contact": contact},
    )


@alliance_staff_required
def level_list(request):
    alliance = request.alliance
    form = LevelForm(request.POST or None, alliance=alliance)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("The level was added."))
        return redirect("companies:level-list", alliance.slug)
    levels = alliance.levels.annotate(member_count=Count("memberships"))
    return render(
        request,
        "companies/level_list.html",
        {"alliance": alliance, "form": form, "levels": levels},
    )
