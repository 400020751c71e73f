"""The notification machinery: language, links, digest, the one-click preference link."""

import pytest
from django.core import mail

from klimaalliance import notifications
from klimaalliance.models import Notification, NotificationMode
from klimaalliance.tasks import send_notification_digests
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

T = "email/notifications/"


def _notify(users, *, urgent=False, **extra):
    return notifications.notify(
        users,
        kind="agreement_sent",
        subject_template=f"{T}agreement_sent_subject.txt",
        text_template=f"{T}agreement_sent.txt",
        context={"alliance": {"name": "Kongres & Kultur"}, "company": {"name": "Alfa A/S"}},
        link=("my-tasks", {}),
        urgent=urgent,
        **extra,
    )


def test_a_notification_is_mailed_after_the_commit_in_the_recipients_language(
    django_capture_on_commit_callbacks,
):
    danish = UserFactory(email="da@example.org", language="da")
    english = UserFactory(email="en@example.org", language="en")
    with django_capture_on_commit_callbacks(execute=True):
        assert _notify([danish, english, danish]) == 2
        assert mail.outbox == []  # nothing inside the transaction
    by_address = {message.to[0]: message for message in mail.outbox}
    assert set(by_address) == {"da@example.org", "en@example.org"}
    english_mail = by_address["en@example.org"]
    assert "awaits your signature" in english_mail.subject
    assert "Kongres & Kultur" in english_mail.subject  # plain text: never &amp;
    assert "http://testserver/en/my/tasks/" in english_mail.body
    assert "http://testserver/my/tasks/" in by_address["da@example.org"].body
    assert "/accounts/notifications/" in english_mail.body


def test_inactive_people_are_not_notified(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        assert _notify([UserFactory(is_active=False)]) == 0
    assert mail.outbox == []


def test_digest_people_get_one_mail_a_day_with_everything_collected(
    django_capture_on_commit_callbacks,
):
    user = UserFactory(email="digest@example.org", language="en")
    user.notification_mode = NotificationMode.DIGEST
    user.save()
    with django_capture_on_commit_callbacks(execute=True):
        _notify(user)
        _notify(user)
    assert mail.outbox == []
    assert Notification.objects.filter(user=user, sent_at__isnull=True).count() == 2
    with django_capture_on_commit_callbacks(execute=True):
        assert send_notification_digests() == 1
    assert len(mail.outbox) == 1
    digest = mail.outbox[0]
    assert digest.to == ["digest@example.org"]
    assert "2 new notifications" in digest.subject
    assert digest.body.count("awaits your signature") == 2
    with django_capture_on_commit_callbacks(execute=True):
        assert send_notification_digests() == 0  # nothing twice
    assert len(mail.outbox) == 1


def test_urgent_notifications_ignore_the_digest(django_capture_on_commit_callbacks):
    user = UserFactory(notification_mode=NotificationMode.DIGEST)
    with django_capture_on_commit_callbacks(execute=True):
        _notify(user, urgent=True)
    assert len(mail.outbox) == 1
    assert not Notification.objects.exists()


def test_a_once_key_sends_once(django_capture_on_commit_callbacks):
    user = UserFactory()
    with django_capture_on_commit_callbacks(execute=True):
        assert _notify(user, once_key="k:1") == 1
        assert _notify(user, once_key="k:1") == 0
    assert len(mail.outbox) == 1


def test_the_preference_link_works_without_signing_in(client):
    user = UserFactory(language="en")
    link = notifications.preferences_link(user)
    assert link.startswith("http://testserver/en/accounts/notifications/")
    path = link.removeprefix("http://testserver")
    page = client.get(path)
    assert page.status_code == 200
    assert "Save my choice" in page.content.decode()
    user.refresh_from_db()
    assert user.notification_mode == NotificationMode.IMMEDIATE  # GET changes nothing
    response = client.post(path, {"notification_mode": "digest"})
    assert response.status_code == 200
    assert "Your choice is saved." in response.content.decode()
    user.refresh_from_db()
    assert user.notification_mode == NotificationMode.DIGEST


def test_a_tampered_preference_link_fails(client):
    user = UserFactory()
    token = notifications.preferences_token(user)
    other = UserFactory()
    forged = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    assert client.get(f"/accounts/notifications/{forged}/").status_code == 404
    response = client.post(f"/accounts/notifications/{forged}/", {"notification_mode": "digest"})
    assert response.status_code == 404
    other.refresh_from_db()
    user.refresh_from_db()
    assert user.notification_mode == other.notification_mode == NotificationMode.IMMEDIATE


def test_my_account_changes_the_preference(client, rep_a):
    client.force_login(rep_a)
    assert "notification_mode" in client.get("/accounts/me/").content.decode()
    response = client.post("/accounts/me/notifications/", {"notification_mode": "digest"})
    assert response["Location"] == "/accounts/me/"
    rep_a.refresh_from_db()
    assert rep_a.notification_mode == NotificationMode.DIGEST
