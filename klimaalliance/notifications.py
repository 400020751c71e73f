"""Notifications: who is told when it is their turn, in their language, with a link to act.

Every hand-over in the workflows (an agreement sent for signature, a report submitted, a
paper opened for signatures, ...) calls `notify` from the service that makes it, inside
that service's transaction. `notify` renders the mail for each recipient in the
recipient's own language (`User.language`), with an absolute link straight to where they
act, and either queues it in the outbox (`klimaalliance.mail.queue_mail`: it goes out
after the commit, from a worker, never inside the request) or, for a person who chose the
daily digest, keeps it as a `Notification` row that the daily beat task
(`klimaalliance.tasks.send_notification_digests`) collects into one mail. Urgent
notifications (deadlines and signatures) are always mailed at once.

Every mail carries a signed one-click link (`preferences_link`) to a page that changes
the person's choice without signing in.

Templates: `subject_template` and `text_template` are plain text (rendered without HTML
escaping, see klimaalliance/mail.py), usually under `email/notifications/`; the body
templates extend `email/notifications/_base.txt`, which adds the greeting, the link and
the preference footer. Each template sees the given `context` plus `recipient`, `link`,
`preferences_link` and `site_url`.

The core imports no app: apps call `notify` with their own recipients and templates.
"""

from collections.abc import Iterable

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation

from . import mail
from .models import Notification, NotificationMode, NotificationOnce, User

PREFERENCES_SALT = "klimaalliance.notifications.preferences"
DIGEST_SUBJECT = "email/notifications/digest_subject.txt"
DIGEST_TEXT = "email/notifications/digest.txt"


# --- Links -------------------------------------------------------------------------------


def absolute_url(link, language: str) -> str:
    """An absolute URL for `link`, in `language`'s URL prefix.

    `link` is an absolute URL, a path ("/my/..."), a URL name, or `(name, kwargs)`; names
    are reversed with `language` active, so an English reader gets the /en/ page.
    """
    if not link:
        return ""
    if isinstance(link, str) and link.startswith(("http://", "https://")):
        return link
    if isinstance(link, str) and link.startswith("/"):
        return f"{settings.SITE_URL}{link}"
    name, kwargs = (link, {}) if isinstance(link, str) else link
    with translation.override(language):
        return f"{settings.SITE_URL}{reverse(name, kwargs=kwargs)}"


def preferences_token(user) -> str:
    return signing.dumps(user.pk, salt=PREFERENCES_SALT, compress=True)


def user_for_preferences_token(token: str) -> User | None:
    """The active user a preference link was made for; None for a tampered link."""
    try:
        pk = signing.loads(token, salt=PREFERENCES_SALT)
    except signing.BadSignature:
        return None
    return User.objects.filter(pk=pk, is_active=True).first() if isinstance(pk, int) else None


def preferences_link(user, language: str | None = None) -> str:
    """The one-click link to the page that changes `user`'s notification preference."""
    language = language or user.language or settings.LANGUAGE_CODE
    with translation.override(language):
        path = reverse("notification-preferences-link", kwargs={"token": preferences_token(user)})
    return f"{settings.SITE_URL}{path}"


# --- Recipients ----------------------------------------------------------------------------


def alliance_staff(alliance, *, countersign: bool = False):
    """Active staff of `alliance` (only those who may countersign, with `countersign`)."""
    users = User.objects.filter(staff_roles__alliance=alliance, is_active=True)
    if countersign:
        users = users.filter(staff_roles__may_countersign=True)
    return users


# --- Sending -----------------------------------------------------------------------------


def _language(user) -> str:
    languages = dict(settings.LANGUAGES)
    return user.language if user.language in languages else settings.LANGUAGE_CODE


def _recipients(users) -> list:
    if users is None:
        return []
    if isinstance(users, User):
        users = [users]
    seen, result = set(), []
    for user in users:
        if user is None or not user.is_active or not user.email or user.pk in seen:
            continue
        seen.add(user.pk)
        result.append(user)
    return result


def claim_once(key: str) -> bool:
    """True for exactly one caller per `key`, ever (in the caller's transaction)."""
    try:
        with transaction.atomic():
            NotificationOnce.objects.create(key=key[:200])
    except IntegrityError:
        return False
    return True


def notify(
    users: Iterable[User] | User,
    *,
    kind: str,
    subject_template: str,
    text_template: str,
    context: dict,
    link,
    urgent: bool = False,
    html_template: str | None = None,
    once_key: str | None = None,
) -> int:
    """Tell each of `users` (inactive ones and duplicates skipped) about `kind`.

    Call it inside the transaction of the change it announces: the mails are queued in
    the outbox and go out after the commit, or not at all if it rolls back. Urgent
    notifications, and everyone who chose immediate mail, get a mail now; the others get
    the notification in tomorrow's digest. `once_key` sends nothing when a notification
    with that key was sent before. Returns the number of people notified.
    """
    if once_key is not None and not claim_once(once_key):
        return 0
    count = 0
    for user in _recipients(users):
        language = _language(user)
        with translation.override(language):
            full_context = {
                **context,
                "recipient": user,
                "link": absolute_url(link, language),
                "preferences_link": preferences_link(user, language),
                "site_url": settings.SITE_URL,
            }
            subject = " ".join(mail.render_text(subject_template, full_context).split())
            text = mail.render_text(text_template, full_context)
            html = None
            if html_template:
                from django.template.loader import render_to_string

                html = render_to_string(html_template, full_context)
        if urgent or user.notification_mode != NotificationMode.DIGEST:
            mail.queue_mail(to=user.email, subject=subject, text=text, html=html)
        else:
            Notification.objects.create(
                user=user,
                kind=kind,
                subject=subject[:300],
                text=text,
                link=full_context["link"][:500],
            )
        count += 1
    return count


def digest_send(user_id: int) -> int:
    """Queue one mail with every notification `user_id` has waiting; 1 when queued.

    The rows are claimed (locked, skipping rows another worker holds) and marked sent in
    the transaction that queues the mail, so each notification is mailed once."""
    with transaction.atomic():
        items = list(
            Notification.objects.select_for_update(skip_locked=True)
            .filter(user_id=user_id, sent_at__isnull=True)
            .order_by("pk")
        )
        if not items:
            return 0
        user = User.objects.get(pk=user_id)
        Notification.objects.filter(pk__in=[n.pk for n in items]).update(sent_at=timezone.now())
        if not user.is_active or not user.email:
            return 0
        language = _language(user)
        with translation.override(language):
            context = {
                "recipient": user,
                "items": items,
                "preferences_link": preferences_link(user, language),
                "site_url": settings.SITE_URL,
            }
            subject = " ".join(mail.render_text(DIGEST_SUBJECT, context).split())
            text = mail.render_text(DIGEST_TEXT, context)
        mail.queue_mail(to=user.email, subject=subject, text=text)
    return 1


def digests_send() -> int:
    """One digest for each person with notifications waiting; returns how many."""
    user_ids = (
        Notification.objects.filter(sent_at__isnull=True)
        .values_list("user_id", flat=True)
        .distinct()
        .order_by("user_id")
    )
    return sum(digest_send(user_id) for user_id in list(user_ids))
