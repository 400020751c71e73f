"""E-mail: rendered in the recipient's language, queued in the outbox, sent by a worker.

No request talks to a mail server. A mail is queued in the transaction of the change it
announces (it disappears if that change rolls back) and a worker sends it once the
transaction has committed; an SMTP server that is down or refuses (`EMAIL_TIMEOUT` bounds
each try) makes the task retry with back-off (`klimaalliance.celery.PortalTask`).

Two ways in, one way out (`send`):

* `queue_mail(to=..., subject=..., text=..., html=None, reply_to=())` for a mail whose
  content is final when it is queued, e.g. a reporting reminder. Render it with
  `render_mail` where it is queued, in the recipient's language; the generic task
  `klimaalliance.tasks.send_mail` only sends the JSON it was given and needs no context.
* A feature's own task that renders in the worker, for a mail that must be checked or
  completed when it goes out: an invitation whose link a resend may have replaced
  (`companies.tasks.send_invitation_mail` sends nothing for a replaced link, and the
  secret link never sits in the outbox or the broker), or a signed agreement that carries
  its PDF (`partnerships.tasks.mail_signed_agreement`).

Plain text is not HTML: subjects and `.txt` templates are rendered with autoescaping off,
so "Kongres & Kultur Center" stays "Kongres & Kultur Center"; only `.html` templates
escape.

Delivery is at least once: a worker that dies after the SMTP server accepted a mail but
before the task was acknowledged sends it again when the message is redelivered.
"""

from collections.abc import Iterable
from dataclasses import dataclass

from django.core.mail import EmailMultiAlternatives
from django.template import Context, TemplateDoesNotExist
from django.template.loader import get_template, render_to_string
from django.utils import translation

from . import outbox

SEND_MAIL_TASK = "klimaalliance.tasks.send_mail"


@dataclass(frozen=True)
class Mail:
    subject: str
    text: str
    html: str | None = None


def render_text(template_name: str, context: dict) -> str:
    """A plain-text template rendered without HTML escaping."""
    template = get_template(template_name).template
    return template.render(Context(context, autoescape=False))


def render_mail(name: str, context: dict, *, language: str) -> Mail:
    """`email/<name>_subject.txt`, `email/<name>.txt` and, if it exists, `email/<name>.html`,
    rendered in `language`. The subject is folded onto one line."""
    with translation.override(language):
        subject = " ".join(render_text(f"email/{name}_subject.txt", context).split())
        text = render_text(f"email/{name}.txt", context)
        try:
            html = render_to_string(f"email/{name}.html", context)
        except TemplateDoesNotExist:
            html = None
    return Mail(subject, text, html)


def _addresses(value: str | Iterable[str]) -> list[str]:
    return [value] if isinstance(value, str) else list(value)


def queue_mail(
    *,
    to: str | Iterable[str],
    subject: str,
    text: str,
    html: str | None = None,
    reply_to: str | Iterable[str] = (),
):
    """Send this mail after the current transaction commits, from a worker.

    Returns the outbox message. The content is stored as given (JSON), so render it first,
    in the recipient's language (`render_mail`).
    """
    return outbox.enqueue(SEND_MAIL_TASK, _addresses(to), subject, text, html, _addresses(reply_to))


def send(
    *,
    to: str | Iterable[str],
    subject: str,
    text: str,
    html: str | None = None,
    reply_to: str | Iterable[str] = (),
    attachments: Iterable[tuple[str, bytes, str]] = (),
) -> int:
    """Send one mail now (in a worker): 1 when sent. SMTP errors propagate, for the task
    to retry."""
    message = EmailMultiAlternatives(
        subject, text, to=_addresses(to), reply_to=_addresses(reply_to)
    )
    if html:
        message.attach_alternative(html, "text/html")
    for filename, content, mimetype in attachments:
        message.attach(filename, content, mimetype)
    return message.send()
