"""Invitations: the signed, single-use link that makes a contact person a representative.

A link carries `"<invitation id>:<nonce>"` signed with a timestamp. It works for
`Invitation.INVITATION_DAYS` days, only while its nonce is the invitation's current one
(resending draws a new nonce), and only until the invitation is accepted or revoked.

The mail is queued in the outbox with the invitation and rendered and sent by a worker
(`companies.tasks.send_invitation_mail`), so neither a broker nor a mail server that is
down fails or slows the request: the invitation is saved and its mail goes out when they
are back, retried with back-off. The job names the link's nonce, and the worker sends
nothing once that link is no longer the current one. So resending while the first mail
still waits is safe: it draws a new link and queues its mail, the waiting mail is dropped
when its turn comes, and the person receives one mail with a working link.
"""

import base64
import binascii
import datetime

from django.conf import settings
from django.contrib.auth import get_user_model, password_validation
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from klimaalliance import mail, outbox

from . import notifications
from .models import ContactPerson, Invitation, Membership, Representation, new_nonce
from .services import membership_change_status

SALT = "companies.invitation"
MAX_AGE = datetime.timedelta(days=Invitation.INVITATION_DAYS)


class InvitationLinkError(Exception):
    """An invitation link that cannot be used, and why.

    `reason` is one of INVALID (tampered or unknown: the page answers 404), EXPIRED,
    USED, REVOKED or REPLACED (a newer link was sent); the last four answer 410.
    """

    INVALID = "invalid"
    EXPIRED = "expired"
    USED = "used"
    REVOKED = "revoked"
    REPLACED = "replaced"

    def __init__(self, reason, invitation=None):
        super().__init__(reason)
        self.reason = reason
        self.invitation = invitation


# --- Tokens ------------------------------------------------------------------------------


def _signer():
    return signing.TimestampSigner(salt=SALT)


def make_token(invitation: Invitation) -> str:
    """A URL-safe token for the invitation's current nonce, timestamped now."""
    signed = _signer().sign(f"{invitation.pk}:{invitation.nonce}")
    return base64.urlsafe_b64encode(signed.encode()).decode().rstrip("=")


def _decode(token: str) -> str:
    padded = token + "=" * (-len(token) % 4)
    try:
        return base64.urlsafe_b64decode(padded.encode("ascii")).decode("ascii")
    except (ValueError, binascii.Error, UnicodeError) as exc:
        raise InvitationLinkError(InvitationLinkError.INVALID) from exc


def _unsign(token: str) -> tuple[str, bool]:
    """The signed value and whether it is older than the allowed age."""
    signed = _decode(token)
    signer = _signer()
    try:
        return signer.unsign(signed, max_age=MAX_AGE), False
    except signing.SignatureExpired:
        # The signature is genuine, only old: read it again to say *which* invitation expired.
        return signer.unsign(signed), True
    except signing.BadSignature as exc:
        raise InvitationLinkError(InvitationLinkError.INVALID) from exc


def read_token(token: str) -> Invitation:
    """The invitation a link points to, if the link may still be used.

    Raises InvitationLinkError saying why not: INVALID for a tampered or unknown link;
    USED, REVOKED, REPLACED or EXPIRED (checked in that order) for a genuine one.
    """
    value, too_old = _unsign(token)
    pk, _sep, nonce = value.partition(":")
    invitation = (
        Invitation.objects.select_related("alliance", "company", "contact")
        .filter(pk=int(pk) if pk.isdigit() else None)
        .first()
    )
    if invitation is None:
        raise InvitationLinkError(InvitationLinkError.INVALID)
    if invitation.accepted_at:
        raise InvitationLinkError(InvitationLinkError.USED, invitation)
    if invitation.revoked_at:
        raise InvitationLinkError(InvitationLinkError.REVOKED, invitation)
    if nonce != invitation.nonce:
        raise InvitationLinkError(InvitationLinkError.REPLACED, invitation)
    if too_old or invitation.state == "expired":
        raise InvitationLinkError(InvitationLinkError.EXPIRED, invitation)
    return invitation


# --- Mail --------------------------------------------------------------------------------


def invitation_link(invitation: Invitation) -> str:
    """The absolute link to accept `invitation`, in the invitation's language."""
    with translation.override(invitation.language):
        path = reverse("invitation-accept", kwargs={"token": make_token(invitation)})
    return f"{settings.SITE_URL}{path}"


def _send_mail(invitation: Invitation) -> int:
    """Render the invitation's mail with its current link, in its language, and send it."""
    context = {
        "invitation": invitation,
        "alliance": invitation.alliance,
        "company": invitation.company,
        "contact": invitation.contact,
        "link": invitation_link(invitation),
        "expires_at": invitation.expires_at,
        "site_url": settings.SITE_URL,
    }
    rendered = mail.render_mail("invitation", context, language=invitation.language)
    return mail.send(
        to=invitation.email,
        subject=rendered.subject,
        text=rendered.text,
        html=rendered.html,
        reply_to=[invitation.alliance.contact_email] if invitation.alliance.contact_email else [],
    )


def invitation_mail_send(invitation_id: int, nonce: str) -> int:
    """The worker's half: send the mail for the link with `nonce` if that link still
    works; returns 1 when sent, 0 when a resend replaced it or it was accepted, revoked or
    deleted meanwhile."""
    invitation = (
        Invitation.objects.select_related("alliance", "company", "contact")
        .filter(pk=invitation_id, nonce=nonce, accepted_at__isnull=True, revoked_at__isnull=True)
        .first()
    )
    if invitation is None:
        return 0
    return _send_mail(invitation)


def _send_after_commit(invitation: Invitation) -> None:
    # In the invitation's transaction: a mail never announces an invitation that a
    # rolled-back transaction undid, and is never lost once the invitation is saved.
    outbox.enqueue("companies.tasks.send_invitation_mail", invitation.pk, invitation.nonce)


# --- Staff actions -----------------------------------------------------------------------


def pending_invitations(*, alliance, contact):
    """Invitations of `contact` to `alliance` whose link still works."""
    return Invitation.objects.filter(
        alliance=alliance,
        contact=contact,
        accepted_at__isnull=True,
        revoked_at__isnull=True,
        sent_at__gt=timezone.now() - MAX_AGE,
    )


def _language(language, by) -> str:
    languages = dict(settings.LANGUAGES)
    if language in languages:
        return language
    user_language = getattr(by, "language", None)
    return user_language if user_language in languages else settings.LANGUAGE_CODE


@transaction.atomic
def invitation_send(*, alliance, contact: ContactPerson, by=None, language=None) -> Invitation:
    """Invite `contact` to represent their company, by e-mail, on behalf of `alliance`.

    The mail is written in `language` (default: the inviting user's language, else Danish)
    and sent only once the transaction commits. A prospect membership becomes "invited".
    Raises ValidationError when the company is not a member of `alliance`, when the contact
    already represents the company, or when a pending invitation exists (resend that one).
    """
    contact = ContactPerson.objects.select_for_update().select_related("company").get(pk=contact.pk)
    company = contact.company
    membership = Membership.objects.filter(alliance=alliance, company=company).first()
    if membership is None:
        raise ValidationError(
            _("%(company)s is not a member of %(alliance)s."),
            params={"company": company.name, "alliance": alliance.name},
            code="not_member",
        )
    if not membership.has_access:
        raise ValidationError(
            _("%(company)s has not accepted %(alliance)s's membership invitation yet."),
            params={"company": company.name, "alliance": alliance.name},
            code="no_consent",
        )
    if Representation.objects.filter(company=company, user__email__iexact=contact.email).exists():
        raise ValidationError(
            _("%(name)s already represents %(company)s."),
            params={"name": contact.name, "company": company.name},
            code="already_representative",
        )
    if pending_invitations(alliance=alliance, contact=contact).exists():
        raise ValidationError(
            _(
                "%(name)s already has an invitation that has not been answered. "
                "Resend it instead of sending a new one."
            ),
            params={"name": contact.name},
            code="pending",
        )
    invitation = Invitation.objects.create(
        alliance=alliance,
        company=company,
        contact=contact,
        email=contact.email,
        may_sign=contact.may_sign,
        language=_language(language, by),
        invited_by=by,
    )
    if membership.status == Membership.Status.PROSPECT:
        membership_change_status(
            membership=membership,
            status=Membership.Status.INVITED,
            by=by,
            note=_("Invitation sent to %(email)s.") % {"email": contact.email},
        )
    _send_after_commit(invitation)
    return invitation


@transaction.atomic
def invitation_resend(*, invitation: Invitation, by=None) -> Invitation:
    """Send the invitation again with a fresh link valid for another full period.

    Links sent earlier stop working. Raises ValidationError for an accepted or revoked
    invitation (send a new one instead of reviving a revoked one).
    """
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.accepted_at:
        raise ValidationError(_("This invitation has already been accepted."), code="accepted")
    if invitation.revoked_at:
        raise ValidationError(
            _("This invitation was revoked. Send a new invitation instead."), code="revoked"
        )
    invitation.nonce = new_nonce()
    invitation.sent_at = timezone.now()
    invitation.save(update_fields=["nonce", "sent_at"])
    _send_after_commit(invitation)
    return invitation


@transaction.atomic
def invitation_revoke(*, invitation: Invitation, by=None) -> Invitation:
    """Make the invitation's link stop working for good.

    Raises ValidationError for an invitation that has already been accepted (remove the
    representative instead). Revoking twice is harmless.
    """
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.accepted_at:
        raise ValidationError(
            _("This invitation has already been accepted and can no longer be revoked."),
            code="accepted",
        )
    if not invitation.revoked_at:
        invitation.revoked_at = timezone.now()
        invitation.save(update_fields=["revoked_at"])
    return invitation


# --- Accepting ---------------------------------------------------------------------------


def account_for(invitation: Invitation):
    """The existing user account with the invited e-mail address, or None."""
    # Exact, in the form accounts are stored: a case-insensitive match in PostgreSQL would
    # let a look-alike address ("admın@") reach someone else's account.
    users = get_user_model().objects
    return users.filter(email=users.sign_in_email(invitation.email)).first()


def new_user_for(invitation: Invitation):
    """An unsaved user for the invited contact, for password validation and creation."""
    first_name, _sep, last_name = invitation.contact.name.strip().partition(" ")
    return get_user_model()(
        email=invitation.email.lower(),
        first_name=first_name[:150],
        last_name=last_name[:150],
        language=invitation.language,
    )


def _create_user(invitation: Invitation, password: str):
    if account_for(invitation) is not None:
        # Never set a password on an account someone else already owns.
        raise ValidationError(
            _("An account with the e-mail address %(email)s already exists. Log in to accept."),
            params={"email": invitation.email},
            code="account_exists",
        )
    user = new_user_for(invitation)
    password_validation.validate_password(password, user)
    user.set_password(password)
    user.save()
    return user


def _check_user(invitation: Invitation, user):
    if user.email.lower() != invitation.email.lower():
        raise ValidationError(
            _(
                "This invitation is for %(invited)s, but you are logged in as %(current)s. "
                "Log out and open the link again."
            ),
            params={"invited": invitation.email, "current": user.email},
            code="other_account",
        )
    return user


@transaction.atomic
def invitation_accept(*, invitation: Invitation, user=None, password: str | None = None):
    """Accept the invitation once, making its contact a representative of the company.

    Either `user` (the logged-in account, whose e-mail must be the invited one) or
    `password` (creates the account for the invited e-mail, after the password
    validators) is given. Creates the Representation with the contact's title and
    signing right, links the contact to the account and marks the invitation accepted,
    all or nothing. Returns the user. Raises InvitationLinkError if the invitation can
    no longer be used and ValidationError for a weak password, an e-mail that already
    has an account (log in first) or a logged-in account with another e-mail.
    """
    invitation = (
        Invitation.objects.select_for_update()
        .select_related("company", "contact", "alliance")
        .get(pk=invitation.pk)
    )
    if invitation.accepted_at:
        raise InvitationLinkError(InvitationLinkError.USED, invitation)
    if invitation.revoked_at:
        raise InvitationLinkError(InvitationLinkError.REVOKED, invitation)
    if invitation.state == "expired":
        raise InvitationLinkError(InvitationLinkError.EXPIRED, invitation)
    if user is not None:
        user = _check_user(invitation, user)
    else:
        user = _create_user(invitation, password or "")
    contact = invitation.contact
    Representation.objects.get_or_create(
        user=user,
        company=invitation.company,
        defaults={"title": contact.title, "may_sign": invitation.may_sign},
    )
    contact.user = user
    contact.save(update_fields=["user"])
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    notifications.invitation_accepted(invitation, user)
    return user
