"""Working groups: staff pages, a representative's groups and the public group pages.

Each family finds its group through one helper, so nobody reaches another's groups:

* staff (`_staff_group`): groups of `request.alliance` only; others are 404;
* representatives (`_own_group`): groups where a company the user represents is or was a
  member; others are 404, which does not reveal whether the group exists;
* the public (`_public_group`): groups of the alliance in the address.

Public pages set no cookie and are cached (`klimaalliance.caching.public_page`); public
documents are only those marked as published.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count, Prefetch, Q
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from companies import access
from klimaalliance.caching import public_page
from klimaalliance.filenames import file_slug
from klimaalliance.models import Alliance
from klimaalliance.permissions import alliance_staff_required

from .. import group_services as services
from ..group_forms import ChairForm, DocumentForm, GroupForm, LeaveForm, MeetingForm, MemberAddForm
from ..models import (
    ChairTerm,
    CommitmentPaper,
    CommitmentSignature,
    GroupDocument,
    GroupMember,
    Meeting,
    WorkingGroup,
)

PUBLIC_PAPER_STATUSES = (CommitmentPaper.Status.OPEN, CommitmentPaper.Status.CLOSED)


def _current_chair_prefetch():
    return Prefetch(
        "chair_terms",
        queryset=ChairTerm.objects.filter(ended_on__isnull=True).select_related("company"),
        to_attr="current_chair_terms",
    )


def _groups_with_chair_and_counts(groups):
    """`groups` with `current_chair_terms` and `member_count` (current members), 2 queries."""
    return groups.annotate(
        member_count=Count("members", filter=Q(members__left_on__isnull=True))
    ).prefetch_related(_current_chair_prefetch())


def _split_members(group):
    members = list(group.members.select_related("company").order_by("company__legal_name"))
    return [m for m in members if m.left_on is None], [m for m in members if m.left_on]


def _download(document):
    if not document.file:
        raise Http404
    return FileResponse(
        document.file.open("rb"),
        as_attachment=True,
        filename=f"{file_slug(document.title, 'document')}.pdf",
        content_type="application/pdf",
    )


# --- Staff -------------------------------------------------------------------------------


def _staff_group(request, pk):
    """The group `pk` of the request's alliance, or 404 (never another alliance's group)."""
    return get_object_or_404(WorkingGroup, pk=pk, alliance=request.alliance)


def _group_page(group):
    return redirect("groups:group-detail", group.alliance.slug, group.pk)


@require_GET
@alliance_staff_required
def group_list(request):
    alliance = request.alliance
    groups = _groups_with_chair_and_counts(WorkingGroup.objects.filter(alliance=alliance))
    return render(request, "network/group_list.html", {"alliance": alliance, "groups": groups})


@require_http_methods(["GET", "POST"])
@alliance_staff_required
def group_create(request):
    alliance = request.alliance
    form = GroupForm(request.POST or None, alliance=alliance)
    if request.method == "POST" and form.is_valid():
        try:
            group = services.group_create(
                alliance=alliance,
                data=form.cleaned_data,
                chair_company=form.cleaned_data.get("chair_company"),
                by=request.user,
            )
        except ValidationError as error:
            form.add_error("chair_company", error)
        else:
            messages.success(
                request, _("The working group %(name)s was created.") % {"name": group.name}
            )
            return _group_page(group)
    return render(request, "network/group_form.html", {"alliance": alliance, "form": form})


@require_http_methods(["GET", "POST"])
@alliance_staff_required
def group_edit(request, pk):
    group = _staff_group(request, pk)
    form = GroupForm(
        request.POST or None, instance=group, alliance=request.alliance, with_chair=False
    )
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("The working group was saved."))
        return _group_page(group)
    return render(
        request,
        "network/group_form.html",
        {"alliance": request.alliance, "form": form, "group": group},
    )


def _staff_detail(request, group, *, chair_form=None, member_form=None, document_form=None):
    current, former = _split_members(group)
    context = {
        "alliance": request.alliance,
        "group": group,
        "chair_terms": group.chair_terms.select_related("company").order_by("-started_on"),
        "current_members": current,
        "former_members": former,
        "meetings": group.meetings.order_by("-date"),
        "documents": group.documents.order_by("-created_at"),
        "papers": group.papers.order_by("-created_at"),
        "chair_form": chair_form or ChairForm(group=group),
        "member_form": member_form or MemberAddForm(group=group),
        "document_form": document_form or DocumentForm(),
        "description": group.description_in(request.LANGUAGE_CODE),
    }
    context["current_chair"] = next(
        (term for term in context["chair_terms"] if term.ended_on is None), None
    )
    return render(request, "network/group_detail.html", context)


@require_GET
@alliance_staff_required
def group_detail(request, pk):
    return _staff_detail(request, _staff_group(request, pk))


@require_POST
@alliance_staff_required
def chair_change(request, pk):
    group = _staff_group(request, pk)
    form = ChairForm(request.POST, group=group)
    if form.is_valid():
        try:
            services.chair_set(
                group=group, company=form.cleaned_data["company"], on=form.cleaned_data["on"]
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The chair was changed."))
            return _group_page(group)
    messages.error(request, _("The chair was not changed."))
    return _staff_detail(request, group, chair_form=form)


@require_POST
@alliance_staff_required
def member_add(request, pk):
    group = _staff_group(request, pk)
    form = MemberAddForm(request.POST, group=group)
    if form.is_valid():
        try:
            services.member_add(
                group=group, company=form.cleaned_data["company"], on=form.cleaned_data["on"]
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                _("%(company)s is now a member of the group.")
                % {"company": form.cleaned_data["company"].name},
            )
            return _group_page(group)
    messages.error(request, _("The member was not added."))
    return _staff_detail(request, group, member_form=form)


@require_POST
@alliance_staff_required
def member_leave(request, pk, member_id):
    group = _staff_group(request, pk)
    member = get_object_or_404(
        GroupMember.objects.select_related("company"), pk=member_id, group=group
    )
    form = LeaveForm(request.POST)
    if not form.is_valid():
        # A mistyped date must not be replaced by today: nothing changes.
        messages.error(request, _("Enter the date as YYYY-MM-DD, or leave it empty for today."))
        return _group_page(group)
    try:
        services.member_leave(group=group, member=member, on=form.cleaned_data["on"])
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(
            request, _("%(company)s has left the group.") % {"company": member.company.name}
        )
    return _group_page(group)


def _meeting_form(request, group, meeting):
    form = MeetingForm(request.POST or None, instance=meeting)
    if request.method == "POST" and form.is_valid():
        form.instance.group = group
        form.save()
        messages.success(request, _("The meeting was saved."))
        return _group_page(group)
    return render(
        request,
        "network/group_meeting_form.html",
        {"alliance": request.alliance, "group": group, "form": form, "meeting": meeting},
    )


@require_http_methods(["GET", "POST"])
@alliance_staff_required
def meeting_create(request, pk):
    group = _staff_group(request, pk)
    return _meeting_form(request, group, Meeting(group=group))


@require_http_methods(["GET", "POST"])
@alliance_staff_required
def meeting_edit(request, pk, meeting_id):
    group = _staff_group(request, pk)
    meeting = get_object_or_404(Meeting, pk=meeting_id, group=group)
    return _meeting_form(request, group, meeting)


@require_POST
@alliance_staff_required
def document_upload(request, pk):
    group = _staff_group(request, pk)
    form = DocumentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.document_add(
                group=group,
                title=form.cleaned_data["title"],
                file=form.cleaned_data["file"],
                by=request.user,
            )
        except ValidationError as error:
            form.add_error("file", error)
        else:
            messages.success(request, _("The document was uploaded. It is not published yet."))
            return _group_page(group)
    messages.error(request, _("The document was not uploaded."))
    return _staff_detail(request, group, document_form=form)


@require_GET
@alliance_staff_required
def document_download(request, pk, document_id):
    group = _staff_group(request, pk)
    return _download(get_object_or_404(GroupDocument, pk=document_id, group=group))


@require_POST
@alliance_staff_required
def document_publish(request, pk, document_id):
    """Toggle whether the document shows on the group's public page."""
    group = _staff_group(request, pk)
    document = get_object_or_404(GroupDocument, pk=document_id, group=group)
    services.document_set_published(document=document, published=not document.is_published)
    if document.is_published:
        messages.success(request, _("%(title)s is published.") % {"title": document.title})
    else:
        messages.success(
            request, _("%(title)s is no longer published.") % {"title": document.title}
        )
    return _group_page(group)


# --- Representatives ---------------------------------------------------------------------


def _own_group(request, pk):
    """The group `pk` if a company the user represents is or was its member; 404 otherwise."""
    groups = WorkingGroup.objects.filter(
        members__company__in=access.represented_companies(request.user)
    ).select_related("alliance")
    return get_object_or_404(groups.distinct(), pk=pk)


@require_GET
@login_required
def my_group_list(request):
    memberships = (
        GroupMember.objects.filter(company__in=access.represented_companies(request.user))
        .select_related("group__alliance", "company")
        .order_by("group__alliance__name", "group__name", "company__legal_name")
    )
    return render(request, "network/my_group_list.html", {"memberships": memberships})


@require_GET
@login_required
def my_group_detail(request, pk):
    group = _own_group(request, pk)
    current, former = _split_members(group)
    context = {
        "group": group,
        "alliance": group.alliance,
        "description": group.description_in(request.LANGUAGE_CODE),
        "current_chair": services.current_chair_term(group),
        "current_members": current,
        "former_members": former,
        "meetings": group.meetings.order_by("-date"),
        "documents": group.documents.order_by("-created_at"),
        "papers": group.papers.exclude(status=CommitmentPaper.Status.DRAFT)
        .prefetch_related("signatures__company")
        .order_by("-created_at"),
        "my_company_ids": set(request.user.representations.values_list("company_id", flat=True)),
    }
    return render(request, "network/my_group_detail.html", context)


@require_GET
@login_required
def my_document_download(request, pk, document_id):
    group = _own_group(request, pk)
    return _download(get_object_or_404(GroupDocument, pk=document_id, group=group))


# --- Public ------------------------------------------------------------------------------


def _alliance(request, alliance_slug):
    alliance = get_object_or_404(Alliance, slug=alliance_slug)
    request.alliance = alliance
    return alliance


def _public_group(alliance, pk):
    return get_object_or_404(WorkingGroup, pk=pk, alliance=alliance)


@require_GET
@public_page
def public_group_list(request, alliance_slug):
    alliance = _alliance(request, alliance_slug)
    groups = _groups_with_chair_and_counts(WorkingGroup.objects.filter(alliance=alliance))
    language = request.LANGUAGE_CODE
    rows = [(group, group.description_in(language)) for group in groups]
    return render(request, "network/public_group_list.html", {"alliance": alliance, "rows": rows})


@require_GET
@public_page
def public_group_detail(request, alliance_slug, pk):
    alliance = _alliance(request, alliance_slug)
    group = _public_group(alliance, pk)
    language = request.LANGUAGE_CODE
    former_ids = set(
        group.members.filter(left_on__isnull=False).values_list("company_id", flat=True)
    )
    papers = (
        group.papers.filter(status__in=PUBLIC_PAPER_STATUSES)
        .prefetch_related(
            Prefetch(
                "signatures",
                queryset=CommitmentSignature.objects.select_related("company").order_by(
                    "company__legal_name"
                ),
            )
        )
        .order_by("-created_at")
    )
    paper_rows = [
        {
            "paper": paper,
            "title": paper.in_language(language)[0],
            "text": paper.in_language(language)[1],
            "signatories": [
                (signature.company, signature.company_id in former_ids)
                for signature in paper.signatures.all()
            ],
        }
        for paper in papers
    ]
    context = {
        "alliance": alliance,
        "group": group,
        "description": group.description_in(language),
        "current_chair": services.current_chair_term(group),
        "current_members": group.members.filter(left_on__isnull=True)
        .select_related("company")
        .order_by("company__legal_name"),
        "documents": group.documents.filter(is_published=True).order_by("-created_at"),
        "paper_rows": paper_rows,
    }
    return render(request, "network/public_group_detail.html", context)


@require_GET
def public_document_download(request, alliance_slug, pk, document_id):
    """A published document as a download; unpublished ones are 404.

    Not wrapped in `public_page`: a streamed file cannot be stored in the page cache.
    """
    alliance = _alliance(request, alliance_slug)
    group = _public_group(alliance, pk)
    document = get_object_or_404(GroupDocument, pk=document_id, group=group, is_published=True)
    return _download(document)
