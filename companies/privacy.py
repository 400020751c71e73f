"""Privacy (GDPR): export and erase what the portal stores about one contact person.

`contact_export` answers a request for access (article 15) and `contact_erase` a request
for erasure (article 17). What erasure keeps, and why:

- Signatures (`partnerships.Signature`, `network.CommitmentSignature`) are the legal record
  of who signed what, when and from where. They keep the typed name, title, IP address and
  user agent, and their `user` foreign key is PROTECT, so the signer's `User` row stays too:
  it is deactivated and stripped of its name and e-mail address instead of deleted
  (GDPR article 17(3)(b) and (e): legal obligation, legal claims).
- Free text that staff wrote about the company (`InternalNote`, `Dialogue`) may mention the
  person by name. It is not searched or changed: staff edit it by hand if needed.
- Other contact records of the same account (at other companies) are separate records of
  those companies and are left as they are.
- Traces of the e-mail address elsewhere are removed too: entries of the admin's change log
  that name it, and, when sign-in protection (django-axes) is installed, its records of
  log-in attempts with that address.
"""

import datetime

from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from klimaalliance import personal_data

from .models import ContactPerson, Invitation

ERASED_NAME = "Slettet kontaktperson"
CONTACT_FIELDS = ("name", "title", "email", "phone", "may_sign")
HISTORY_TYPES = {"+": "created", "~": "changed", "-": "deleted"}


def erased_contact_email(contact) -> str:
    return f"erased-{contact.pk}@invalid"


def erased_user_email(user) -> str:
    return f"erased-user-{user.pk}@invalid"


def _plain(value):
    if isinstance(value, datetime.date):
        return personal_data.iso(value)
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


def contact_invitations(contact):
    """Invitations to this contact, or to its e-mail address at its company."""
    return Invitation.objects.filter(
        Q(contact=contact) | Q(company_id=contact.company_id, email__iexact=contact.email)
    )


def _history(contact):
    rows = []
    previous = None
    records = ContactPerson.history.filter(id=contact.pk).order_by("history_date", "history_id")
    for record in records:
        if previous is None or record.history_type != "~":
            changes = {
                name: {"old": None, "new": _plain(getattr(record, name))} for name in CONTACT_FIELDS
            }
        else:
            delta = record.diff_against(previous, included_fields=list(CONTACT_FIELDS))
            changes = {
                change.field: {"old": _plain(change.old), "new": _plain(change.new)}
                for change in delta.changes
            }
        previous = record
        rows.append(
            {
                "date": personal_data.iso(record.history_date),
                "type": HISTORY_TYPES.get(record.history_type, record.history_type),
                "changed_fields": sorted(changes),
                "changes": changes,
            }
        )
    return rows


def _account(user):
    representations = user.representations.select_related("company").order_by("pk")
    return {
        "email": user.email,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "language": user.language,
        "is_active": user.is_active,
        "date_joined": personal_data.iso(user.date_joined),
        "last_login": personal_data.iso(user.last_login),
        "representations": [
            {
                "company": r.company.name,
                "cvr": r.company.cvr,
                "title": r.title,
                "may_sign": r.may_sign,
            }
            for r in representations
        ],
        "signatures": personal_data.signatures_of(user),
    }


def contact_export(contact) -> dict:
    """Everything the portal stores about the person behind `contact`, as plain JSON data.

    That is: the contact record itself, every row of its change history (date, kind and
    the changed fields with old and new values), the invitations sent to the contact or
    its e-mail address at this company (dates and state, never the link), and, if the
    contact has an account, the account (e-mail, names, language, joined, last login),
    the companies it represents and every signature it made on an agreement or a
    commitment paper (with the IP address and user agent recorded as evidence).

    Not included: free text staff wrote about the company (internal notes, dialogue log),
    which may mention the person by name, and who on the staff changed the record.
    """
    company = contact.company
    invitations = contact_invitations(contact).select_related("alliance").order_by("sent_at", "pk")
    data = {
        "exported_at": personal_data.iso(datetime.datetime.now(datetime.UTC)),
        "contact": {
            "id": contact.pk,
            "company": company.name,
            "cvr": company.cvr,
            **{name: getattr(contact, name) for name in CONTACT_FIELDS},
            "has_account": contact.user_id is not None,
        },
        "history": _history(contact),
        "invitations": [
            {
                "alliance": invitation.alliance.name,
                "email": invitation.email,
                "language": invitation.language,
                "sent_at": personal_data.iso(invitation.sent_at),
                "accepted_at": personal_data.iso(invitation.accepted_at),
                "revoked_at": personal_data.iso(invitation.revoked_at),
                "state": invitation.state,
            }
            for invitation in invitations
        ],
        "account": None,
    }
    if contact.user_id is not None:
        data["account"] = _account(contact.user)
    return data


def erasure_blocker(contact):
    """Why `contact` cannot be erased here, or None.

    An account that is municipal staff or a platform administrator is not a company
    contact's to close: erasing it would lock a colleague out.
    """
    user = contact.user
    if user is not None and (user.is_staff or user.is_superuser or user.staff_roles.exists()):
        return _(
            "This person's account also belongs to municipal staff or a platform "
            "administrator. A platform administrator must close it."
        )
    return None


def _scrub_admin_log(user, old_emails, erased_email) -> int:
    """Replace the e-mail address in the admin's change log (the user's own entries are
    named by it, a company's inline changes mention it); returns the entries changed."""
    from django.contrib.admin.models import LogEntry
    from django.contrib.contenttypes.models import ContentType

    user_type = ContentType.objects.get_for_model(user)
    changed = LogEntry.objects.filter(content_type=user_type, object_id=str(user.pk)).update(
        object_repr=user.email
    )
    for email in old_emails:
        mentions = Q(object_repr__icontains=email) | Q(change_message__icontains=email)
        for entry in LogEntry.objects.filter(mentions):
            entry.object_repr = _replace(entry.object_repr, email, erased_email)
            entry.change_message = _replace(entry.change_message, email, erased_email)
            entry.save(update_fields=["object_repr", "change_message"])
            changed += 1
    return changed


def _replace(text, old, new):
    """`text` with every case-insensitive occurrence of `old` replaced by `new`."""
    lowered, start, parts = text.lower(), 0, []
    while (found := lowered.find(old, start)) >= 0:
        parts += [text[start:found], new]
        start = found + len(old)
    return "".join([*parts, text[start:]])


def _forget_login_attempts(old_emails) -> int:
    """Delete sign-in protection's records of log-in attempts with these addresses."""
    if not apps.is_installed("axes"):
        return 0
    deleted = 0
    for name in ("AccessAttempt", "AccessFailureLog", "AccessLog"):
        model = apps.get_model("axes", name)
        for email in old_emails:
            deleted += model.objects.filter(username__iexact=email).delete()[0]
    return deleted


def contact_erase(*, contact, by) -> dict:
    """Erase the person behind `contact`; returns a summary of what was changed and kept.

    Erased: the contact's name, e-mail address, phone and title, in the record and in every
    row of its change history; the e-mail address of its invitations (pending ones are
    revoked so their link stops working); and, if it has an account, the account's names and
    e-mail address. The account is deactivated and gets an unusable password (which also
    ends its sessions); the admin's change log no longer names its e-mail address, and
    records of log-in attempts with it are deleted.

    Kept, as the legal record: signatures (typed name, title, time, IP address and user
    agent) and the account row they point to; the account's representations (which
    company it acted for and whether it could sign). Free text in internal notes and the
    dialogue log is not touched (see the module docstring).
    """
    blocker = erasure_blocker(contact)
    if blocker:
        raise ValidationError(blocker)
    with transaction.atomic():
        contact = ContactPerson.objects.select_for_update().get(pk=contact.pk)
        invitations = list(contact_invitations(contact).values_list("pk", flat=True))
        erased_email = erased_contact_email(contact)
        old_emails = {contact.email.lower()}
        if contact.user_id is not None:
            old_emails.add(contact.user.email.lower())

        contact.name = ERASED_NAME
        contact.email = erased_email
        contact.phone = ""
        contact.title = ""
        contact._history_user = by
        contact.save()
        history_rows = ContactPerson.history.filter(id=contact.pk).update(
            name=ERASED_NAME, email=erased_email, phone="", title=""
        )

        now = datetime.datetime.now(datetime.UTC)
        Invitation.objects.filter(pk__in=invitations).update(email=erased_email)
        revoked = Invitation.objects.filter(
            pk__in=invitations, accepted_at__isnull=True, revoked_at__isnull=True
        ).update(revoked_at=now)

        summary = {
            "contact_id": contact.pk,
            "history_rows": history_rows,
            "invitations": len(invitations),
            "invitations_revoked": revoked,
            "user_id": None,
            "signatures_kept": 0,
            "log_entries": 0,
            "login_records": 0,
        }
        if contact.user_id is not None:
            user = get_user_model().objects.select_for_update().get(pk=contact.user_id)
            user.is_active = False
            user.set_unusable_password()
            user.first_name = ""
            user.last_name = ""
            user.email = erased_user_email(user)
            user.save()
            summary["user_id"] = user.pk
            summary["log_entries"] = _scrub_admin_log(user, old_emails, erased_email)
            summary["login_records"] = _forget_login_attempts(old_emails)
            summary["signatures_kept"] = len(personal_data.signatures_of(user))
    return summary
