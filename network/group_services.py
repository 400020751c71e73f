"""Writes for working groups: creating them, chairs, members and result documents.

Every function is keyword-only and atomic, and raises ValidationError with a message a
member of staff can read (Danish or English, via gettext) when a rule is broken; nothing
is changed then.

Rules chosen here:

* Only companies that are members of the group's alliance (membership *active* or
  *paused*, not prospects, invited or left companies) can join a group.
* Leaving keeps the GroupMember row with `left_on` set (signatures on commitment papers
  stay attached). A company that left may rejoin: the same row gets `left_on` cleared and
  `joined_on` set to the new date.
* A new chair that is not yet a current member of the group is added as a member
  automatically (under the same alliance-membership rule). The current chair cannot leave
  the group; change the chair first.
"""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from companies import access

from .models import ChairTerm, GroupDocument, GroupMember, WorkingGroup

MAX_DOCUMENT_BYTES = 10 * 1024 * 1024
PDF_MAGIC = b"%PDF-"

GROUP_FIELDS = ("name", "theme", "description", "description_en", "status", "chair_mode")


def alliance_member_companies(alliance):
    """Companies that may take part in `alliance`'s working groups (its current members)."""
    return access.member_companies(alliance).order_by("legal_name")


def groups_of_company(alliance, company):
    """The groups of `alliance` that `company` is a current member of (for its public profile)."""
    return list(
        WorkingGroup.objects.filter(
            alliance=alliance, members__company=company, members__left_on__isnull=True
        ).order_by("name")
    )


def _check_alliance_member(group, company):
    if not alliance_member_companies(group.alliance).filter(pk=company.pk).exists():
        raise ValidationError(
            _("%(company)s is not a member of %(alliance)s and cannot join its working groups."),
            params={"company": company.name, "alliance": group.alliance.name},
            code="not_alliance_member",
        )


@transaction.atomic
def group_create(*, alliance, data, chair_company=None, by=None) -> WorkingGroup:
    """Create a working group of `alliance` from `data` (the group's form fields).

    With `chair_company`, that company becomes a member and the chair from today. `by` is
    the member of staff doing it (accepted for symmetry; the model keeps no author).
    """
    group = WorkingGroup.objects.create(
        alliance=alliance, **{name: data[name] for name in GROUP_FIELDS if name in data}
    )
    if chair_company is not None:
        chair_set(group=group, company=chair_company, on=timezone.localdate())
    return group


@transaction.atomic
def member_add(*, group, company, on: datetime.date | None = None) -> GroupMember:
    """Make `company` a member of `group` from `on` (today if not given).

    Raises ValidationError if the company is not a member of the group's alliance or is
    already a current member. A former member rejoins on the same row (`left_on` cleared).
    """
    on = on or timezone.localdate()
    _check_alliance_member(group, company)
    member = GroupMember.objects.select_for_update().filter(group=group, company=company).first()
    if member is None:
        return GroupMember.objects.create(group=group, company=company, joined_on=on)
    if member.left_on is None:
        raise ValidationError(
            _("%(company)s is already a member of the group."),
            params={"company": company.name},
            code="already_member",
        )
    member.left_on = None
    member.joined_on = on
    member.save(update_fields=["left_on", "joined_on"])
    return member


def current_chair_term(group):
    return group.chair_terms.filter(ended_on__isnull=True).select_related("company").first()


@transaction.atomic
def chair_set(*, group, company, on: datetime.date | None = None) -> ChairTerm:
    """Make `company` the chair of `group` from `on` (today if not given).

    The current term (if any) ends on `on` and stays in the history. A company that is not
    a current member of the group is added as a member first (it must be a member of the
    alliance). Raises ValidationError if it already is the chair or `on` is before the
    current term began.
    """
    on = on or timezone.localdate()
    # Lock the group so two simultaneous chair changes cannot both end the same term.
    WorkingGroup.objects.select_for_update().filter(pk=group.pk).first()
    current = ChairTerm.objects.filter(group=group, ended_on__isnull=True).first()
    if current is not None:
        if current.company_id == company.pk:
            raise ValidationError(
                _("%(company)s already chairs the group."),
                params={"company": company.name},
                code="already_chair",
            )
        if on < current.started_on:
            raise ValidationError(
                _("The new chair cannot start before the current chair began (%(date)s)."),
                params={"date": date_format(current.started_on)},
                code="before_current",
            )
    if not GroupMember.objects.filter(group=group, company=company, left_on__isnull=True).exists():
        member_add(group=group, company=company, on=on)
    if current is not None:
        current.ended_on = on
        current.save(update_fields=["ended_on"])
    return ChairTerm.objects.create(group=group, company=company, started_on=on)


@transaction.atomic
def member_leave(*, group, member, on: datetime.date | None = None) -> GroupMember:
    """Record that `member` left `group` on `on` (today if not given); the row stays.

    Raises ValidationError if it already left, if `on` is before it joined, or if it is
    the current chair (change the chair first).
    """
    on = on or timezone.localdate()
    member = GroupMember.objects.select_for_update().get(pk=member.pk, group=group)
    if member.left_on is not None:
        raise ValidationError(
            _("%(company)s has already left the group."),
            params={"company": member.company.name},
            code="already_left",
        )
    if ChairTerm.objects.filter(
        group=group, company_id=member.company_id, ended_on__isnull=True
    ).exists():
        raise ValidationError(
            _("%(company)s chairs the group and cannot leave it. Change the chair first."),
            params={"company": member.company.name},
            code="is_chair",
        )
    if on < member.joined_on:
        raise ValidationError(
            _("A company cannot leave before it joined (%(date)s)."),
            params={"date": date_format(member.joined_on)},
            code="before_joined",
        )
    member.left_on = on
    member.save(update_fields=["left_on"])
    return member


def validate_pdf(file):
    """Raise ValidationError unless `file` is named .pdf, is at most 10 MB and is a PDF."""
    name = getattr(file, "name", "") or ""
    if not name.lower().endswith(".pdf"):
        raise ValidationError(
            _("Upload a PDF file (the file name must end in .pdf)."), code="extension"
        )
    if file.size > MAX_DOCUMENT_BYTES:
        raise ValidationError(
            _("The file is %(size)s MB; a document may be at most 10 MB."),
            params={"size": f"{file.size / 1024 / 1024:.1f}"},
            code="too_large",
        )
    file.seek(0)
    head = file.read(len(PDF_MAGIC))
    file.seek(0)
    if head != PDF_MAGIC:
        raise ValidationError(
            _("The file is not a PDF document, whatever its name says."), code="not_pdf"
        )


@transaction.atomic
def document_add(*, group, title, file, by=None) -> GroupDocument:
    """Store `file` as an unpublished result document of `group`.

    Raises ValidationError (and stores nothing) for a file that is not a real PDF, is
    larger than 10 MB or whose name does not end in .pdf, or for an empty title.
    """
    title = (title or "").strip()
    if not title:
        raise ValidationError(_("Give the document a title."), code="title")
    validate_pdf(file)
    return GroupDocument.objects.create(group=group, title=title, file=file, uploaded_by=by)


@transaction.atomic
def document_set_published(*, document, published: bool) -> GroupDocument:
    """Show (`published=True`) or hide a document on the group's public page."""
    document.is_published = published
    document.save(update_fields=["is_published"])
    return document
