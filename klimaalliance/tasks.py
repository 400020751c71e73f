import socket
from datetime import timedelta
from urllib.parse import urlsplit

from celery import shared_task
from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from . import mail, notifications
from .models import User, WorkerHeartbeat
from .outbox import sweep

KEEP_HEARTBEATS = timedelta(days=7)


@shared_task
def record_heartbeat(hostname: str = "") -> int:
    """Store that a worker ran a task; the worker status page shows the latest one."""
    heartbeat = WorkerHeartbeat.objects.create(hostname=hostname or socket.gethostname())
    # One a minute per worker: keep a week, not every minute since the first deploy.
    WorkerHeartbeat.objects.filter(seen_at__lt=timezone.now() - KEEP_HEARTBEATS).delete()
    return heartbeat.pk


@shared_task(ignore_result=True, soft_time_limit=100, time_limit=120)
def sweep_outbox() -> int:
    """Beat's safety net: publish outbox messages the commit hook could not send."""
    return sweep()


@shared_task(ignore_result=True, soft_time_limit=60, time_limit=90)
def send_mail(to, subject, text, html=None, reply_to=()) -> int:
    """Send a mail rendered when it was queued (`klimaalliance.mail.queue_mail`)."""
    return mail.send(to=to, subject=subject, text=text, html=html, reply_to=reply_to)


@shared_task(ignore_result=True, soft_time_limit=60, time_limit=90)
def send_password_reset(email: str, language: str) -> int:
    """Mail a link to choose a new password, in `language`, to the active account whose
    address is exactly `email` (as `User.objects.sign_in_email` writes it) if it has a
    usable password; nothing otherwise. Returns the number of mails sent, 0 or 1.

    Queued for every reset request (`sign_in_views.PasswordResetView`), so the request
    does the same work whether the account exists. A redelivery sends a second link;
    both work until one is used."""
    user = User.objects.filter(email=email, is_active=True).first()
    if user is None or not user.has_usable_password():
        return 0
    site = urlsplit(settings.SITE_URL)
    context = {
        "email": user.email,
        "domain": site.netloc,
        "site_name": site.netloc,
        "uid": urlsafe_base64_encode(force_bytes(user.pk)),
        "user": user,
        "token": default_token_generator.make_token(user),
        "protocol": site.scheme,
    }
    with translation.override(language):
        subject = mail.render_text("registration/password_reset_subject.txt", context)
        text = mail.render_text("registration/password_reset_email.txt", context)
        html = render_to_string("registration/password_reset_email.html", context)
    return mail.send(to=user.email, subject=" ".join(subject.split()), text=text, html=html)


@shared_task(ignore_result=True, soft_time_limit=240, time_limit=300)
def send_notification_digests() -> int:
    """Daily: one mail per person with the notifications collected for their digest.
    Each notification is claimed when its digest is queued, so a second run sends
    nothing twice."""
    return notifications.digests_send()
