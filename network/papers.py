"""Commitment papers: staff draft a joint declaration for a working group, publish it, the
group's member companies sign it online (same audit trail as agreements) and close it.

Rules:

* Only a draft can be edited; draft → open (publish) → closed.
* A company signs through a representative with `may_sign` while it is a *current* member
  of the group; once per company; only while the paper is open; only the text the signer
  saw (content hash), otherwise "changed".
* A company that leaves the group keeps its signature; it is shown as a former signatory.
* After publishing and after each signature the PDF is (re-)rendered by Celery.
* A signed commitment can become a milestone pledge on the company's draft agreement.

Every refusal raises PermissionDenied or ValidationError (with a `code`) and changes nothing.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from companies import access
from klimaalliance import outbox
from partnerships.models import Agreement, Pledge

from . import notifications
from .models import CommitmentPaper, CommitmentSignature
from .paper_documents import content_sha256, document_language

Status = CommitmentPaper.Status
PAPER_FIELDS = ("title", "title_en", "text", "text_en", "focus_area", "target_year")


def _locked(paper) -> CommitmentPaper:
    return CommitmentPaper.objects.select_for_update().get(pk=paper.pk)


def _queue_pdf(paper):
    # One render shows every signature made until it runs: signatures made while the
    # broker is down share one waiting job.
    outbox.enqueue("network.tasks.render_paper_pdf_task", paper.pk, unique=True)


def paper_content_sha256(paper, language) -> str:
    """The fingerprint of the paper as shown in `language` (what a signature seals)."""
    return content_sha256(paper, language)


# --- Drafting --------------------------------------------------------------------------------


@transaction.atomic
def paper_create(*, group, by=None, **fields) -> CommitmentPaper:
    unknown = set(fields) - set(PAPER_FIELDS)
    if unknown:
        raise TypeError(f"Unknown fields: {', '.join(sorted(unknown))}")
    paper = CommitmentPaper(group=group, status=Status.DRAFT, **fields)
    paper.full_clean()
    paper.save()
    return paper


@transaction.atomic
def paper_update(*, paper, by=None, **fields) -> CommitmentPaper:
    paper = _locked(paper)
    if paper.status != Status.DRAFT:
        raise ValidationError(
            _("Only a draft can be changed; this paper is already published."), code="status"
        )
    for name, value in fields.items():
        if name not in PAPER_FIELDS:
            raise TypeError(f"Unknown field: {name}")
        setattr(paper, name, value)
    paper.full_clean()
    paper.save()
    return paper


@transaction.atomic
def paper_publish(*, paper, by=None) -> CommitmentPaper:
    """Draft → open for signatures; the text is frozen from here on."""
    paper = _locked(paper)
    if paper.status != Status.DRAFT:
        raise ValidationError(_("Only a draft can be published."), code="status")
    paper.status = Status.OPEN
    paper.published_at = timezone.now()
    paper.save(update_fields=["status", "published_at"])
    _queue_pdf(paper)
    notifications.paper_opened(paper)
    return paper


@transaction.atomic
def paper_close(*, paper, by=None) -> CommitmentPaper:
    """Open → closed: no more signatures; the signatories stay public."""
    paper = _locked(paper)
    if paper.status != Status.OPEN:
        raise ValidationError(_("Only a paper open for signatures can be closed."), code="status")
    paper.status = Status.CLOSED
    paper.save(update_fields=["status"])
    return paper


# --- Signing ---------------------------------------------------------------------------------


def eligible_companies(user, paper):
    """Companies `user` may sign for that are current members of the paper's group."""
    return (
        access.signing_companies(user)
        .filter(group_memberships__group_id=paper.group_id, group_memberships__left_on__isnull=True)
        .order_by("legal_name")
    )


def may_sign_paper(user, paper, company) -> bool:
    return eligible_companies(user, paper).filter(pk=company.pk).exists()


@transaction.atomic
def paper_sign(
    *,
    paper,
    company,
    user,
    typed_name,
    title,
    seen_sha256,
    ip=None,
    user_agent="",
    language="da",
) -> CommitmentSignature:
    """`company` signs the text the signer saw (`seen_sha256`, in `language`)."""
    paper = _locked(paper)
    if not may_sign_paper(user, paper, company):
        raise PermissionDenied(
            _(
                "You may only sign for a company you may sign for that is a current member "
                "of the group."
            )
        )
    if paper.signatures.filter(company=company).exists():
        raise ValidationError(
            _("%(company)s has already signed this paper.") % {"company": company.legal_name},
            code="twice",
        )
    if paper.status != Status.OPEN:
        raise ValidationError(
            _("The paper is not open for signatures (it is %(status)s). Nothing was signed.")
            % {"status": paper.get_status_display()},
            code="status",
        )
    current = paper_content_sha256(paper, language)
    if seen_sha256 != current:
        raise ValidationError(
            _("The paper changed after you opened it. Read the new version and sign again."),
            code="changed",
        )
    signature = CommitmentSignature.objects.create(
        paper=paper,
        company=company,
        user=user,
        typed_name=typed_name.strip(),
        title=title.strip(),
        ip_address=ip,
        user_agent=(user_agent or "")[:500],
        content_sha256=current,
    )
    _queue_pdf(paper)
    notifications.paper_signed(paper, signature)
    return signature


# --- From commitment to pledge ---------------------------------------------------------------


def draft_agreement(paper, company) -> Agreement | None:
    return (
        Agreement.objects.filter(
            alliance_id=paper.group.alliance_id, company=company, status=Agreement.Status.DRAFT
        )
        .order_by("-version", "-pk")
        .first()
    )


@transaction.atomic
def paper_to_pledge(*, paper, company, user) -> Pledge:
    """The signed commitment as a milestone pledge on the company's draft agreement."""
    if not company.representatives.filter(user=user).exists():
        raise PermissionDenied(_("You do not represent this company."))
    if not paper.signatures.filter(company=company).exists():
        raise ValidationError(
            _("%(company)s has not signed this paper, so it cannot become a pledge.")
            % {"company": company.legal_name},
            code="not_signed",
        )
    agreement = draft_agreement(paper, company)
    if agreement is None:
        raise ValidationError(
            _(
                "%(company)s has no draft agreement with %(alliance)s. A staff member must "
                "open a draft or an amendment first; then you can add the commitment."
            )
            % {"company": company.legal_name, "alliance": paper.group.alliance.name},
            code="no_draft",
        )
    agreement = Agreement.objects.select_for_update().get(pk=agreement.pk)
    language = document_language(paper, agreement.language)
    title, text = paper.in_language(language)
    if agreement.pledges.filter(title=title).exists():
        raise ValidationError(
            _("The draft agreement already has the pledge “%(title)s”.") % {"title": title},
            code="twice",
        )
    pledge = Pledge(
        agreement=agreement,
        title=title,
        description=text,
        focus_area=paper.focus_area,
        is_milestone=True,
        target_year=paper.target_year or agreement.end_date.year,
        order=agreement.pledges.count() + 1,
    )
    pledge.full_clean()
    pledge.save()
    return pledge
