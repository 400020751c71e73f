"""Writes that span models: membership status changes and company registration."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from . import notifications
from .models import (
    Company,
    ContactPerson,
    Dialogue,
    InternalNote,
    Membership,
    MembershipEvent,
    Representation,
)
from .signals import membership_activated

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
    reason. Leaving sets `ended_on` (today unless given); becoming active sets `joined_on`
    and sends `companies.signals.membership_activated` (other apps act on it, e.g. the
    company joins the alliance's open reporting rounds).
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
    if status in (Status.ACTIVE, Status.PAUSED) and not membership.has_access:
        raise ValidationError(
            _(
                "%(company)s has not accepted the alliance's membership invitation yet, so "
                "it cannot become a member."
            ),
            params={"company": membership.company.name},
            code="no_consent",
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
    if status == Status.ACTIVE:
        membership_activated.send(sender=Membership, membership=membership, by=by)
    return membership


@transaction.atomic
def company_register(*, alliance, data: dict, by=None, status: str = Status.PROSPECT) -> Company:
    """Create a company and its membership of `alliance`, with the first timeline step."""
    company = Company(**data)
    company.full_clean()
    company.save()
    membership_add(alliance=alliance, company=company, by=by, status=status, shared=True)
    return company


@transaction.atomic
def membership_add(
    *, alliance, company, by=None, status: str = Status.PROSPECT, shared: bool = False
) -> Membership:
    """Make a company a member (by default a prospect) of `alliance`.

    `shared` is only for a company this alliance registers itself: a company already in
    the register shares its data only once it accepts a membership invitation
    (`membership_invitation_answer`), see companies/access.py.
    """
    if not shared and status not in (Status.PROSPECT, Status.INVITED):
        raise ValidationError(
            _("A company already in the portal's register joins as a prospect."),
            code="no_consent",
        )
    now = timezone.now()
    membership, created = Membership.objects.get_or_create(
        alliance=alliance,
        company=company,
        defaults={
            "status": status,
            "joined_on": timezone.localdate() if status == Status.ACTIVE else None,
            "access_granted_at": now if shared else None,
            "access_granted_by": by if shared else None,
        },
    )
    if created:
        MembershipEvent.objects.create(
            membership=membership, from_status="", to_status=status, changed_by=by
        )
        if status == Status.ACTIVE:
            membership_activated.send(sender=Membership, membership=membership, by=by)
    return membership


@transaction.atomic
def join_request(
    *,
    alliance,
    cvr: str,
    company_name: str,
    industry: str,
    contact_name: str,
    email: str,
    phone: str = "",
    message: str = "",
) -> Membership:
    """A company asked to join `alliance` through its public page ("Become a partner").

    Follows companies/access.py: a CVR number new to the register is registered for this
    alliance (which then holds its consent), with the sender as its contact person; a
    company already in the register becomes a prospect of this alliance without consent
    (nothing is added to the shared company); an existing membership is left as it is. In
    every case the alliance gets an internal note with the sender and the message, a
    follow-up due today on its staff's task lists, and its staff are notified.
    """
    company = Company.objects.filter(cvr=cvr).first()
    if company is None:
        company = company_register(
            alliance=alliance,
            data={"cvr": cvr, "legal_name": company_name.strip(), "industry": industry},
        )
        ContactPerson.objects.create(
            company=company, name=contact_name.strip(), email=email, phone=phone.strip()
        )
        membership = Membership.objects.get(alliance=alliance, company=company)
    else:
        membership = membership_add(alliance=alliance, company=company)
    sender = ", ".join(filter(None, [contact_name.strip(), email, phone.strip()]))
    InternalNote.objects.create(
        alliance=alliance,
        company=company,
        text=_(
            "Asked to become a partner through the website.\n"
            "Company name given: %(name)s\nFrom: %(sender)s\n\n%(message)s"
        )
        % {"name": company_name.strip(), "sender": sender, "message": message.strip()},
    )
    today = timezone.localdate()
    Dialogue.objects.create(
        alliance=alliance,
        company=company,
        date=today,
        kind=Dialogue.Kind.OTHER,
        summary=_("Asked to become a partner: answer %(sender)s") % {"sender": sender},
        follow_up_on=today,
    )
    notifications.join_requested(membership, contact_name=contact_name.strip())
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
    notifications.story_reviewed(story)
    return story


@transaction.atomic
def story_submit(*, story, company, by):
    """Save a representative's new story for the staff's approval and tell the staff."""
    story.company = company
    story.submitted_by = by
    story.save()
    notifications.story_submitted(story)
    return story


@transaction.atomic
def membership_invite(*, membership: Membership, by=None, note: str = "") -> Membership:
    """Invite a company from the shared register to join, asking it to share its data.

    The company's people who may sign see the invitation on their company page and answer
    it there (`membership_invitation_answer`)."""
    if membership.has_access:
        raise ValidationError(
            _("%(company)s already shares its data with the alliance."),
            params={"company": membership.company.name},
            code="already_shared",
        )
    membership = membership_change_status(
        membership=membership,
        status=Status.INVITED,
        by=by,
        note=note or _("Membership invitation sent to the company."),
    )
    notifications.membership_invited(membership)
    return membership


@transaction.atomic
def membership_invitation_answer(*, membership: Membership, by, accept: bool) -> Membership:
    """A person who may sign for the company accepts or declines an alliance's invitation.

    Accepting shares the company's contacts, people, climate accounts and agreements with
    the alliance from now on; declining returns the membership to prospect. Raises
    ValidationError when there is no open invitation or `by` may not sign for the company.
    """
    membership = (
        Membership.objects.select_for_update().select_related("company").get(pk=membership.pk)
    )
    if not membership.awaits_answer:
        raise ValidationError(_("This invitation has already been answered."), code="answered")
    if not Representation.objects.filter(
        user=by, company_id=membership.company_id, may_sign=True
    ).exists():
        raise ValidationError(
            _("Only a person who may sign for the company can answer the invitation."),
            code="may_not_sign",
        )
    if not accept:
        membership = membership_change_status(
            membership=membership,
            status=Status.PROSPECT,
            by=by,
            note=_("The company declined the membership invitation."),
        )
        notifications.membership_answered(membership, accepted=False)
        return membership
    membership.access_granted_at = timezone.now()
    membership.access_granted_by = by
    membership.save(update_fields=["access_granted_at", "access_granted_by"])
    MembershipEvent.objects.create(
        membership=membership,
        from_status=membership.status,
        to_status=membership.status,
        note=_("The company accepted the membership invitation and shares its data."),
        changed_by=by,
    )
    notifications.membership_answered(membership, accepted=True)
    return membership
