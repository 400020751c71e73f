"""Who is told what when a company's hand-over happens (klimaalliance.notifications).

Called from the services, inside their transactions: the mails leave after the commit.
"""

from klimaalliance.models import User
from klimaalliance.notifications import alliance_staff, notify

T = "email/notifications/"


def company_people(company, *, signing: bool = False):
    """The company's active representatives (only those who may sign, with `signing`)."""
    users = User.objects.filter(representations__company=company, is_active=True)
    if signing:
        users = users.filter(representations__may_sign=True)
    return users


def _send(users, kind, context, link, *, urgent=False):
    return notify(
        users,
        kind=kind,
        subject_template=f"{T}{kind}_subject.txt",
        text_template=f"{T}{kind}.txt",
        context=context,
        link=link,
        urgent=urgent,
    )


def membership_invited(membership) -> int:
    """The company's signers: an alliance invites the company to share its data."""
    return _send(
        company_people(membership.company, signing=True),
        "membership_invited",
        {"alliance": membership.alliance, "company": membership.company},
        ("my:company-detail", {"pk": membership.company_id}),
    )


def membership_answered(membership, *, accepted: bool) -> int:
    """The alliance's staff: the company accepted or declined their invitation."""
    return _send(
        alliance_staff(membership.alliance),
        "membership_answered",
        {"alliance": membership.alliance, "company": membership.company, "accepted": accepted},
        (
            "companies:company-detail",
            {"alliance_slug": membership.alliance.slug, "pk": membership.company_id},
        ),
    )


def invitation_accepted(invitation, user) -> int:
    """The staff member who sent the invitation: the contact now represents the company."""
    if invitation.invited_by is None:
        return 0
    return _send(
        invitation.invited_by,
        "invitation_accepted",
        {
            "alliance": invitation.alliance,
            "company": invitation.company,
            "person": user.get_full_name() or user.email,
            "email": user.email,
        },
        (
            "companies:company-detail",
            {"alliance_slug": invitation.alliance.slug, "pk": invitation.company_id},
        ),
    )


def story_submitted(story) -> int:
    """The alliance's staff: a story awaits approval."""
    return _send(
        alliance_staff(story.alliance),
        "story_submitted",
        {"alliance": story.alliance, "company": story.company, "story": story},
        ("companies:story-review", {"alliance_slug": story.alliance.slug, "story_id": story.pk}),
    )


def story_reviewed(story) -> int:
    """The story's author: published, or refused with the staff's comment."""
    if story.status == story.Status.APPROVED:
        link = ("story-detail", {"alliance_slug": story.alliance.slug, "pk": story.pk})
    else:
        link = ("my:company-detail", {"pk": story.company_id})
    return _send(
        story.submitted_by,
        "story_reviewed",
        {"alliance": story.alliance, "company": story.company, "story": story},
        link,
    )


def join_requested(membership, *, contact_name: str) -> int:
    """The alliance's staff: a company asked to become a partner on the public page."""
    return _send(
        alliance_staff(membership.alliance),
        "join_requested",
        {"alliance": membership.alliance, "company": membership.company, "person": contact_name},
        (
            "companies:company-detail",
            {"alliance_slug": membership.alliance.slug, "pk": membership.company_id},
        ),
    )
