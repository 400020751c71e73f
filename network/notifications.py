"""Who is told what when a commitment paper opens or is signed (klimaalliance.notifications).

Called from network/papers.py inside its transactions: the mails leave after the commit.
"""

from django.utils import translation

from klimaalliance.models import User
from klimaalliance.notifications import notify

T = "email/notifications/"


class _Title:
    """The paper's title in the language the mail is rendered in."""

    def __init__(self, paper):
        self.paper = paper

    def __str__(self):
        language = translation.get_language() or "da"
        return self.paper.in_language(language)[0]


def _member_signers(paper):
    """People who may sign for a current member company of the paper's group."""
    return User.objects.filter(
        is_active=True,
        representations__may_sign=True,
        representations__company__group_memberships__group_id=paper.group_id,
        representations__company__group_memberships__left_on__isnull=True,
    ).distinct()


def _chair_people(paper):
    """The representatives of the group's current chair organisation."""
    return User.objects.filter(
        is_active=True,
        representations__company__chair_terms__group_id=paper.group_id,
        representations__company__chair_terms__ended_on__isnull=True,
    ).distinct()


def paper_opened(paper) -> int:
    """Signing representatives of the group's member companies (a signature: urgent)."""
    return notify(
        _member_signers(paper),
        kind="paper_opened",
        subject_template=f"{T}paper_opened_subject.txt",
        text_template=f"{T}paper_opened.txt",
        context={"paper": paper, "group": paper.group, "title": _Title(paper)},
        link=("my-groups:paper-sign", {"paper_id": paper.pk}),
        urgent=True,
    )


def paper_signed(paper, signature) -> int:
    """The group's chair: a member company signed."""
    return notify(
        _chair_people(paper).exclude(pk=signature.user_id),
        kind="paper_signed",
        subject_template=f"{T}paper_signed_subject.txt",
        text_template=f"{T}paper_signed.txt",
        context={
            "paper": paper,
            "group": paper.group,
            "title": _Title(paper),
            "signature": signature,
        },
        link=("my-groups:group-detail", {"pk": paper.group_id}),
    )
