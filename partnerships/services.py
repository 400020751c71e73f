"""The agreement workflow: draft → sent → signed → countersigned (active) → expired or
terminated, with amendments as new versions. Every rule about who may do what is here."""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from companies import access
from companies.models import Membership, Representation
from companies.services import membership_change_status
from klimaalliance import outbox
from klimaalliance.models import StaffRole

from . import notifications
from .documents import content_sha256
from .models import (
    Agreement,
    AgreementComment,
    AgreementFocusArea,
    AgreementTemplate,
    CatalogueItem,
    Pledge,
    Signature,
    TemplateClause,
)

Status = Agreement.Status
DEFAULT_YEARS = 3


def _locked(agreement) -> Agreement:
    return Agreement.objects.select_for_update().get(pk=agreement.pk)


def _require_status(agreement, *allowed, message):
    if agreement.status not in allowed:
        raise ValidationError(message, code="status")


# --- Templates -------------------------------------------------------------------------------


def current_template(alliance) -> AgreementTemplate | None:
    return alliance.templates.order_by("-version").first()


@transaction.atomic
def template_new_version(*, alliance, by, title, title_en, clauses) -> AgreementTemplate:
    """Save `clauses` (dicts with heading, heading_en, text, text_en) as the next version.

    Older versions are left untouched, so agreements made from them never change.
    """
    if not clauses:
        raise ValidationError(_("A template needs at least one clause."))
    latest = alliance.templates.select_for_update().order_by("-version").first()
    template = AgreementTemplate.objects.create(
        alliance=alliance,
        version=(latest.version + 1) if latest else 1,
        title=title,
        title_en=title_en,
        created_by=by,
    )
    TemplateClause.objects.bulk_create(
        TemplateClause(template=template, order=n, **clause) for n, clause in enumerate(clauses, 1)
    )
    return template


# --- Drafting --------------------------------------------------------------------------------


@transaction.atomic
def agreement_create(*, alliance, company, by, focus_areas=(), **fields) -> Agreement:
    """A draft agreement on the alliance's current template; the company must share its
    data with the alliance and not have left it (`companies.access.agreement_companies`)."""
    if not access.agreement_companies(alliance).filter(pk=company.pk).exists():
        raise ValidationError(
            _(
                "The company has not accepted a membership of the alliance, so no agreement "
                "can be drafted with it."
            )
        )
    template = fields.pop("template", None) or current_template(alliance)
    if template is None:
        raise ValidationError(_("The alliance has no agreement template yet."))
    start = fields.pop("start_date", None) or timezone.localdate()
    end = fields.pop("end_date", None) or start.replace(year=start.year + DEFAULT_YEARS)
    agreement = Agreement(
        alliance=alliance,
        company=company,
        template=template,
        start_date=start,
        end_date=end,
        created_by=by,
        **fields,
    )
    agreement.full_clean()
    agreement.save()
    set_focus_areas(agreement, focus_areas)
    return agreement


def set_focus_areas(agreement, areas):
    if not agreement.is_editable:
        raise ValidationError(_("Only a draft can be changed."))
    agreement.focus_area_links.exclude(area__in=areas).delete()
    existing = set(agreement.focus_area_links.values_list("area", flat=True))
    AgreementFocusArea.objects.bulk_create(
        AgreementFocusArea(agreement=agreement, area=area) for area in areas if area not in existing
    )


@transaction.atomic
def agreement_update(*, agreement, focus_areas=None, **fields) -> Agreement:
    agreement = _locked(agreement)
    _require_status(agreement, Status.DRAFT, message=_("Only a draft can be changed."))
    for name, value in fields.items():
        setattr(agreement, name, value)
    agreement.full_clean()
    agreement.save()
    if focus_areas is not None:
        set_focus_areas(agreement, focus_areas)
    return agreement


def pledge_from_catalogue(
    *, agreement, item: CatalogueItem, baseline_year=None, baseline_value=None
) -> Pledge:
    """A pledge pre-filled from a catalogue item; the company adjusts it afterwards."""
    if item.alliance_id != agreement.alliance_id:
        raise ValidationError(_("That pledge is not in this alliance's catalogue."))
    pledge = Pledge(
        agreement=agreement,
        catalogue_item=item,
        title=item.title,
        description=item.description,
        focus_area=item.focus_area,
        scopes=list(item.scopes or []),
        is_milestone=item.is_milestone,
        metric=item.metric,
        target_year=item.target_year,
        baseline_year=baseline_year,
        baseline_value=baseline_value,
        order=agreement.pledges.count() + 1,
    )
    if not item.is_milestone and baseline_value is not None and item.reduction_percent:
        pledge.target_value = baseline_value * (1 - item.reduction_percent / 100)
    if not item.is_milestone and pledge.baseline_value is None:
        # Numbers are the company's to fill in; keep the item's wording as a milestone-less
        # draft only when complete, otherwise let the form ask for the missing figures.
        pledge.metric = pledge.metric or "t CO2e"
    pledge.save()
    return pledge


def comment_add(*, agreement, by, text) -> AgreementComment:
    if not text.strip():
        raise ValidationError(_("Write a comment first."))
    with transaction.atomic():
        comment = AgreementComment.objects.create(agreement=agreement, author=by, text=text.strip())
        notifications.comment_added(comment)
    return comment


@transaction.atomic
def agreement_send(*, agreement, by) -> Agreement:
    """Draft → sent for signature; the content is frozen from here on."""
    agreement = _locked(agreement)
    _require_status(agreement, Status.DRAFT, message=_("Only a draft can be sent for signature."))
    pledges = list(agreement.pledges.all())
    if not pledges:
        raise ValidationError(_("Add at least one pledge before sending the agreement."))
    for pledge in pledges:
        try:
            pledge.full_clean()
        except ValidationError as error:
            raise ValidationError(
                _("The pledge “%(title)s” is incomplete: %(errors)s"),
                params={"title": pledge.title, "errors": " ".join(error.messages)},
            ) from error
    agreement.status = Status.SENT
    agreement.content_sha256 = content_sha256(agreement)
    agreement.save()
    notifications.agreement_sent(agreement)
    return agreement


@transaction.atomic
def agreement_reopen(*, agreement, by) -> Agreement:
    """Sent → draft again, e.g. when the company asks for a change before signing."""
    agreement = _locked(agreement)
    _require_status(
        agreement,
        Status.SENT,
        message=_("Only an agreement awaiting the company's signature can be reopened."),
    )
    agreement.status = Status.DRAFT
    agreement.content_sha256 = ""
    agreement.save()
    return agreement


# --- Signing ---------------------------------------------------------------------------------


def may_sign_for_company(user, company) -> bool:
    return Representation.objects.filter(user=user, company=company, may_sign=True).exists()


def may_countersign(user, alliance) -> bool:
    return StaffRole.objects.filter(user=user, alliance=alliance, may_countersign=True).exists()


def _check_content(agreement, seen_sha256):
    current = content_sha256(agreement)
    if seen_sha256 != current:
        raise ValidationError(
            _("The agreement changed after you opened it. Read the new version and sign again."),
            code="changed",
        )
    return current


@transaction.atomic
def agreement_sign(
    *, agreement, user, typed_name, title, seen_sha256, ip=None, user_agent=""
) -> Signature:
    """The company signs what the signer saw (`seen_sha256`); sent → signed."""
    agreement = _locked(agreement)
    if not may_sign_for_company(user, agreement.company):
        raise PermissionDenied(_("You may not sign for this company."))
    if agreement.signatures.filter(party=Signature.Party.COMPANY).exists():
        raise ValidationError(_("The company has already signed this agreement."), code="twice")
    _require_status(
        agreement,
        Status.SENT,
        message=_("The agreement is not waiting for the company's signature."),
    )
    digest = _check_content(agreement, seen_sha256)
    signature = Signature.objects.create(
        agreement=agreement,
        party=Signature.Party.COMPANY,
        user=user,
        typed_name=typed_name.strip(),
        title=title.strip(),
        ip_address=ip,
        user_agent=user_agent[:500],
        content_sha256=digest,
    )
    agreement.status = Status.SIGNED
    agreement.save()
    notifications.agreement_signed_by_company(agreement, signature)
    return signature


@transaction.atomic
def agreement_countersign(
    *, agreement, user, typed_name, title, seen_sha256, ip=None, user_agent=""
) -> Signature:
    """The municipality countersigns: the agreement becomes active and immutable, the
    membership active, a replaced version superseded, and the PDF is queued."""
    agreement = _locked(agreement)
    if not may_countersign(user, agreement.alliance):
        raise PermissionDenied(_("You may not sign agreements for the municipality."))
    if agreement.signatures.filter(party=Signature.Party.MUNICIPALITY).exists():
        raise ValidationError(
            _("The municipality has already signed this agreement."), code="twice"
        )
    if agreement.status in (Status.DRAFT, Status.SENT):
        raise ValidationError(
            _("The company has to sign before the municipality countersigns."), code="order"
        )
    _require_status(agreement, Status.SIGNED, message=_("The agreement cannot be countersigned."))
    digest = _check_content(agreement, seen_sha256)
    signature = Signature.objects.create(
        agreement=agreement,
        party=Signature.Party.MUNICIPALITY,
        user=user,
        typed_name=typed_name.strip(),
        title=title.strip(),
        ip_address=ip,
        user_agent=user_agent[:500],
        content_sha256=digest,
    )
    agreement.status = Status.ACTIVE
    agreement.save()
    if agreement.replaces_id:
        Agreement.objects.filter(pk=agreement.replaces_id).update(status=Status.SUPERSEDED)
    membership = Membership.objects.get(alliance=agreement.alliance, company=agreement.company)
    if membership.status != Membership.Status.ACTIVE:
        membership_change_status(
            membership=membership,
            status=Membership.Status.ACTIVE,
            by=user,
            note=_("Partnership agreement signed."),
        )
    queue_agreement_pdf(agreement)
    return signature


def queue_agreement_pdf(agreement):
    """Through the outbox: the PDF job is saved with the signature, even if Redis is down."""
    outbox.enqueue("partnerships.tasks.render_agreement_pdf_task", agreement.pk)


# --- After signing -----------------------------------------------------------------------------


@transaction.atomic
def agreement_terminate(*, agreement, by, reason, on=None) -> Agreement:
    agreement = _locked(agreement)
    _require_status(
        agreement, Status.ACTIVE, message=_("Only an active agreement can be terminated.")
    )
    if not reason.strip():
        raise ValidationError({"reason": _("Give the reason for terminating the agreement.")})
    agreement.status = Status.TERMINATED
    agreement.terminated_on = on or timezone.localdate()
    agreement.termination_reason = reason.strip()
    agreement.save()
    notifications.agreement_terminated(agreement)
    return agreement


@transaction.atomic
def agreement_amend(*, agreement, by) -> Agreement:
    """A new draft version copying the active agreement; the signed one stays unchanged."""
    agreement = _locked(agreement)
    _require_status(agreement, Status.ACTIVE, message=_("Only an active agreement can be amended."))
    if Agreement.objects.filter(replaces=agreement).exists():
        raise ValidationError(_("An amendment of this agreement already exists."))
    amendment = Agreement.objects.create(
        alliance=agreement.alliance,
        company=agreement.company,
        template=agreement.template,
        replaces=agreement,
        version=agreement.version + 1,
        language=agreement.language,
        partnership_form=agreement.partnership_form,
        start_date=agreement.start_date,
        end_date=agreement.end_date,
        municipality_commitments=agreement.municipality_commitments,
        created_by=by,
    )
    set_focus_areas(amendment, agreement.focus_area_codes())
    for pledge in agreement.pledges.all():
        pledge.pk = None
        pledge.agreement = amendment
        pledge.save()
    return amendment


def agreements_expire(today: datetime.date | None = None) -> int:
    """Active agreements past their end date become expired. Returns how many."""
    today = today or timezone.localdate()
    count = 0
    for agreement in Agreement.objects.filter(status=Status.ACTIVE, end_date__lt=today):
        agreement.status = Status.EXPIRED
        agreement.save(update_fields=["status", "updated_at"])
        count += 1
    return count
