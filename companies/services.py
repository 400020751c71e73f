"""Writes that span models: membership status changes and company registration."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import Company, Membership, MembershipEvent

Status = Membership.Status

# Which status may follow which. Active is normally set by signing an agreement.
ALLOWED_TRANSITIONS = {
    Status.PROSPECT: {Status.INVITED, Status.ACTIVE, Status.LEFT},
    Status.INVITED: {Status.PROSPECT, Status.ACTIVE, Status.LEFT},
    Status.ACTIVE: {Status.PAUSED, Status.LEFT},
    Status.PAUSED: {Status.ACTIVE, Status.LEFT},
    Status.LEFT: {Status.PROSPECT},
}


@transaction.atomic
def membership_change_status(
    *,
    membership: Membership,
    status: str,
    by=None,
    note: str = "",
    ended_on: datetime.date | None = None,
    reason: str = "",
) -> Membership:
    """Move a membership to `status`, record the step in its timeline and keep dates right.

    Raises ValidationError for a transition that is not allowed or a departure without a
    reason. Leaving sets `ended_on` (today unless given); becoming active sets `joined_on`.
    """
    membership = Membership.objects.select_for_update().get(pk=membership.pk)
    old = membership.status
    if status == old:
        return membership
    if status not in ALLOWED_TRANSITIONS[old]:
        raise ValidationError(
            _("A membership cannot go from “%(old)s” to “%(new)s”."),
            params={"old": Status(old).label, "new": Status(status).label},
            code="transition",
        )
    today = timezone.localdate()
    if status == Status.LEFT:
        if not reason.strip():
            raise ValidationError(
                {"reason": _("Give the reason the company leaves.")}, code="reason"
            )
        membership.ended_on = ended_on or today
        membership.end_reason = reason.strip()
    if status == Status.ACTIVE and not membership.joined_on:
        membership.joined_on = today
    if old == Status.LEFT:
        membership.ended_on = None
        membership.end_reason = ""
    membership.status = status
    membership.save()
    MembershipEvent.objects.create(
        membership=membership,
        from_status=old,
        to_status=status,
        note=note or reason,
        changed_by=by,
    )
    return membership


@transaction.atomic
def company_register(*, alliance, data: dict, by=None, status: str = Status.PROSPECT) -> Company:
    """Create a company and its membership of `alliance`, with the first timeline step."""
    company = Company(**data)
    company.full_clean()
    company.save()
    membership_add(alliance=alliance, company=company, by=by, status=status)
    return company


@transaction.atomic
def membership_add(*, alliance, company, by=None, status: str = Status.PROSPECT) -> Membership:
    """Make an existing company a member (by default a prospect) of `alliance`."""
    membership, created = Membership.objects.get_or_create(
        alliance=alliance,
        company=company,
        defaults={
            "status": status,
            "joined_on": timezone.localdate() if status == Status.ACTIVE else None,
        },
    )
    if created:
        MembershipEvent.objects.create(
            membership=membership, from_status="", to_status=status, changed_by=by
        )
    return membership


@transaction.atomic
def story_review(*, story, by, approve: bool, comment: str = ""):
    """Publish a submitted story, or send it back with a comment. Only submitted stories."""
    from .models import Story

    story = Story.objects.select_for_update().get(pk=story.pk)
    if story.status != Story.Status.SUBMITTED:
        raise ValidationError(_("This story has already been reviewed."))
    if not approve and not comment.strip():
        raise ValidationError({"comment": _("Tell the company why the story is not published.")})
    story.status = Story.Status.APPROVED if approve else Story.Status.REJECTED
    story.reviewed_by = by
    story.review_comment = comment.strip()
    story.published_at = timezone.now() if approve else None
    story.save()
    return story
