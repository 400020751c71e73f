"""Who is told what at each hand-over of an agreement (klimaalliance.notifications).

Called from partnerships/services.py inside its transactions: the mails leave after the
commit. Signatures and deadlines are urgent (always mailed at once)."""

import datetime

from django.db import transaction
from django.utils import timezone

from companies.notifications import company_people
from klimaalliance.models import StaffRole
from klimaalliance.notifications import alliance_staff, notify

from .models import Agreement

T = "email/notifications/"
EXPIRY_NOTICE_DAYS = 90


def _send(users, kind, agreement, link, *, urgent=False, **context):
    return notify(
        users,
        kind=kind,
        subject_template=f"{T}{kind}_subject.txt",
        text_template=f"{T}{kind}.txt",
        context={
            "agreement": agreement,
            "alliance": agreement.alliance,
            "company": agreement.company,
            **context,
        },
        link=link,
        urgent=urgent,
    )


def _company_link(agreement, action="agreement-detail"):
    return (f"my-agreements:{action}", {"pk": agreement.pk})


def _staff_link(agreement, action="agreement-detail"):
    return (
        f"partnerships:{action}",
        {"alliance_slug": agreement.alliance.slug, "pk": agreement.pk},
    )


def agreement_sent(agreement) -> int:
    """The company's signing representatives: the agreement awaits their signature."""
    return _send(
        company_people(agreement.company, signing=True),
        "agreement_sent",
        agreement,
        _company_link(agreement, "agreement-sign"),
        urgent=True,
    )


def comment_added(comment) -> int:
    """The other party: staff comment → the company's representatives, and back."""
    agreement = comment.agreement
    by_staff = StaffRole.objects.filter(user=comment.author, alliance=agreement.alliance).exists()
    if by_staff:
        users, link = company_people(agreement.company), _company_link(agreement)
    else:
        users, link = alliance_staff(agreement.alliance), _staff_link(agreement)
    author = comment.author.get_full_name() or comment.author.email if comment.author else ""
    return _send(
        users.exclude(pk=comment.author_id),
        "agreement_comment",
        agreement,
        link,
        comment=comment,
        author=author,
    )


def agreement_signed_by_company(agreement, signature) -> int:
    """The alliance's staff who may countersign."""
    return _send(
        alliance_staff(agreement.alliance, countersign=True),
        "agreement_signed_by_company",
        agreement,
        _staff_link(agreement, "agreement-countersign"),
        urgent=True,
        signature=signature,
    )


def _both_parties(agreement, kind, *, urgent=False, once_key=None) -> int:
    sent = 0
    for users, link in (
        (company_people(agreement.company), _company_link(agreement)),
        (alliance_staff(agreement.alliance), _staff_link(agreement)),
    ):
        sent += notify(
            users,
            kind=kind,
            subject_template=f"{T}{kind}_subject.txt",
            text_template=f"{T}{kind}.txt",
            context={
                "agreement": agreement,
                "alliance": agreement.alliance,
                "company": agreement.company,
            },
            link=link,
            urgent=urgent,
            once_key=f"{once_key}:{link[0]}" if once_key else None,
        )
    return sent


def agreement_terminated(agreement) -> int:
    """Both parties: the company's representatives and the alliance's staff."""
    return _both_parties(agreement, "agreement_terminated")


def agreements_expiring(today: datetime.date | None = None) -> int:
    """Both parties of every active agreement ending within EXPIRY_NOTICE_DAYS, once per
    agreement and end date (a deadline: always mailed at once). Returns how many people
    were notified."""
    today = today or timezone.localdate()
    agreements = Agreement.objects.filter(
        status=Agreement.Status.ACTIVE,
        end_date__gte=today,
        end_date__lte=today + datetime.timedelta(days=EXPIRY_NOTICE_DAYS),
    ).select_related("alliance", "company")
    sent = 0
    for agreement in agreements:
        # The "once" claim and the mails commit together.
        with transaction.atomic():
            sent += _both_parties(
                agreement,
                "agreement_expiring",
                urgent=True,
                once_key=f"agreement-expiring:{agreement.pk}:{agreement.end_date.isoformat()}",
            )
    return sent
