"""Climate partnership agreements: templates, agreements, pledges, signatures.

The rules of the workflow (who may do what in which status) live in
`partnerships.services`; the models guard what must never happen whatever the caller:
a countersigned agreement's content and its signatures cannot change.
"""

import hashlib
import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from companies.models import Company
from klimaalliance.choices import FocusArea, PartnershipForm
from klimaalliance.models import Alliance
from klimaalliance.storage import private_storage

YEAR_VALIDATORS = [MinValueValidator(1990), MaxValueValidator(2100)]


class ImmutableError(ValidationError):
    """Raised when code tries to change what a signature has sealed."""


class AgreementTemplate(models.Model):
    """One version of an alliance's agreement text. Versions are never edited: a change
    makes a new version, and agreements keep the version they were made from."""

    alliance = models.ForeignKey(Alliance, on_delete=models.CASCADE, related_name="templates")
    version = models.PositiveIntegerField(_("version"))
    title = models.CharField(_("title (Danish)"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("agreement template")
        verbose_name_plural = _("agreement templates")
        ordering = ["alliance", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["alliance", "version"], name="one_template_version"),
        ]

    def __str__(self):
        return f"{self.title} (v{self.version})"

    def title_in(self, language):
        return self.title_en if language == "en" and self.title_en else self.title


class TemplateClause(models.Model):
    """A clause of a template; the text may hold placeholders such as {company}."""

    template = models.ForeignKey(
        AgreementTemplate, on_delete=models.CASCADE, related_name="clauses"
    )
    order = models.PositiveSmallIntegerField(_("order"), default=1)
    heading = models.CharField(_("heading (Danish)"), max_length=200)
    heading_en = models.CharField(_("heading (English)"), max_length=200, blank=True)
    text = models.TextField(_("text (Danish)"))
    text_en = models.TextField(_("text (English)"), blank=True)

    class Meta:
        ordering = ["template", "order", "pk"]

    def __str__(self):
        return self.heading

    def in_language(self, language):
        if language == "en" and self.heading_en and self.text_en:
            return self.heading_en, self.text_en
        return self.heading, self.text


class CatalogueItem(models.Model):
    """A standard pledge in an alliance's catalogue that companies pick from and adjust."""

    alliance = models.ForeignKey(Alliance, on_delete=models.CASCADE, related_name="catalogue_items")
    focus_area = models.CharField(_("focus area"), max_length=20, choices=FocusArea.choices)
    title = models.CharField(_("title (Danish)"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=200, blank=True)
    description = models.TextField(_("description"), blank=True)
    scopes = models.JSONField(_("scopes"), default=list, blank=True)
    is_milestone = models.BooleanField(_("yes/no milestone"), default=False)
    metric = models.CharField(_("metric"), max_length=120, blank=True)
    reduction_percent = models.DecimalField(
        _("suggested reduction in %"),
        max_digits=5,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    target_year = models.PositiveSmallIntegerField(
        _("suggested target year"), null=True, blank=True, validators=YEAR_VALIDATORS
    )

    class Meta:
        verbose_name = _("catalogue pledge")
        verbose_name_plural = _("pledge catalogue")
        ordering = ["alliance", "focus_area", "title"]

    def __str__(self):
        return self.title


def new_verification_code():
    # Ten characters from an alphabet without look-alikes, printed on the PDF.
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    raw = "".join(secrets.choice(alphabet) for _ in range(10))
    return f"{raw[:5]}-{raw[5:]}"


def agreement_pdf_path(instance, filename):
    # Unguessable, so a leaked media listing or URL pattern reveals nothing.
    return f"agreements/{secrets.token_hex(16)}.pdf"


class Agreement(models.Model):
    """A climate partnership agreement between an alliance's municipality and a company."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        SENT = "sent", _("sent for signature")
        SIGNED = "signed", _("signed by the company")
        ACTIVE = "active", _("active")
        EXPIRED = "expired", _("expired")
        TERMINATED = "terminated", _("terminated")
        SUPERSEDED = "superseded", _("replaced by an amendment")

    # Once countersigned, only these may still change (status moves, the PDF job's output).
    MUTABLE_AFTER_SIGNING = frozenset(
        {
            "status",
            "terminated_on",
            "termination_reason",
            "pdf",
            "pdf_sha256",
            "pdf_generated_at",
            "updated_at",
        }
    )

    alliance = models.ForeignKey(Alliance, on_delete=models.PROTECT, related_name="agreements")
    company = models.ForeignKey(Company, on_delete=models.PROTECT, related_name="agreements")
    template = models.ForeignKey(
        AgreementTemplate,
        on_delete=models.PROTECT,
        related_name="agreements",
        verbose_name=_("template version"),
    )
    replaces = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="amendment",
        verbose_name=_("replaces"),
    )
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    language = models.CharField(
        _("language of the document"), max_length=8, choices=settings.LANGUAGES, default="da"
    )
    partnership_form = models.CharField(
        _("partnership form"),
        max_length=20,
        choices=PartnershipForm.choices,
        default=PartnershipForm.JOINT,
    )
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"))
    municipality_commitments = models.TextField(_("the municipality's commitments"), blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    content_sha256 = models.CharField(max_length=64, blank=True)
    verification_code = models.CharField(
        max_length=11, unique=True, default=new_verification_code, editable=False
    )
    terminated_on = models.DateField(_("terminated on"), null=True, blank=True)
    termination_reason = models.TextField(_("reason for termination"), blank=True)
    pdf = models.FileField(upload_to=agreement_pdf_path, blank=True, storage=private_storage)
    pdf_sha256 = models.CharField(max_length=64, blank=True, db_index=True)
    pdf_generated_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("partnership agreement")
        verbose_name_plural = _("partnership agreements")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_date__gt=models.F("start_date")),
                name="agreement_ends_after_start",
            ),
        ]

    def __str__(self):
        return f"{self.company} – {self.alliance} (v{self.version})"

    def save(self, *args, **kwargs):
        if self.pk and not kwargs.get("force_insert"):
            stored = Agreement.objects.filter(pk=self.pk).values().first()
            if stored and stored["status"] in {s.value for s in self._sealed_statuses()}:
                changed = {
                    f.attname
                    for f in self._meta.concrete_fields
                    if stored[f.attname] != getattr(self, f.attname)
                }
                if changed - self.MUTABLE_AFTER_SIGNING:
                    raise ImmutableError(
                        _("A countersigned agreement cannot be changed. Make an amendment.")
                    )
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if self.status != self.Status.DRAFT:
            raise ImmutableError(_("Only a draft agreement can be deleted."))
        return super().delete(*args, **kwargs)

    @property
    def is_sealed(self):
        """True once the municipality has countersigned: the content can never change."""
        return self.status in {
            self.Status.ACTIVE,
            self.Status.EXPIRED,
            self.Status.TERMINATED,
            self.Status.SUPERSEDED,
        }

    @property
    def is_editable(self):
        return self.status == self.Status.DRAFT

    def focus_area_codes(self):
        return [link.area for link in self.focus_area_links.all()]

    def focus_area_labels(self):
        return [FocusArea(code).label for code in sorted(self.focus_area_codes())]

    def clean(self):
        if self.start_date and self.end_date and self.end_date <= self.start_date:
            raise ValidationError({"end_date": _("The end date must come after the start date.")})

    @classmethod
    def _sealed_statuses(cls):
        return [cls.Status.ACTIVE, cls.Status.EXPIRED, cls.Status.TERMINATED, cls.Status.SUPERSEDED]

    def expires_within(self, days):
        return self.end_date <= timezone.localdate() + timezone.timedelta(days=days)


class AgreementFocusArea(models.Model):
    agreement = models.ForeignKey(
        Agreement, on_delete=models.CASCADE, related_name="focus_area_links"
    )
    area = models.CharField(max_length=20, choices=FocusArea.choices, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["agreement", "area"], name="one_link_per_area"),
        ]

    def __str__(self):
        return self.get_area_display()


class Pledge(models.Model):
    """A company's pledge in an agreement: a quantitative target or a yes/no milestone."""

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="pledges")
    catalogue_item = models.ForeignKey(
        CatalogueItem, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    order = models.PositiveSmallIntegerField(default=1)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    focus_area = models.CharField(
        _("focus area"), max_length=20, choices=FocusArea.choices, blank=True
    )
    scopes = models.JSONField(_("scopes"), default=list, blank=True)
    is_milestone = models.BooleanField(_("yes/no milestone"), default=False)
    metric = models.CharField(
        _("metric"), max_length=120, blank=True, help_text=_("For example “t CO2e, scope 1+2”.")
    )
    baseline_year = models.PositiveSmallIntegerField(
        _("baseline year"), null=True, blank=True, validators=YEAR_VALIDATORS
    )
    baseline_value = models.DecimalField(
        _("baseline value"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    target_year = models.PositiveSmallIntegerField(
        _("target year"), null=True, blank=True, validators=YEAR_VALIDATORS
    )
    target_value = models.DecimalField(
        _("target value"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    is_public = models.BooleanField(_("shown publicly"), default=True)

    class Meta:
        verbose_name = _("pledge")
        verbose_name_plural = _("pledges")
        ordering = ["agreement", "order", "pk"]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        self._check_agreement_is_editable()
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        self._check_agreement_is_editable()
        return super().delete(*args, **kwargs)

    @property
    def reduction_percent(self):
        if self.is_milestone or not self.baseline_value or self.target_value is None:
            return None
        return (1 - self.target_value / self.baseline_value) * 100

    def clean(self):
        errors = {}
        if not self.target_year:
            errors["target_year"] = _("Give the year the pledge is to be met.")
        if not self.is_milestone:
            for name in ("metric", "baseline_year", "baseline_value", "target_value"):
                if getattr(self, name) in (None, ""):
                    errors[name] = _("A quantitative pledge needs this; or make it a milestone.")
            if self.baseline_year and self.target_year and self.target_year <= self.baseline_year:
                errors["target_year"] = _("The target year must come after the baseline year.")
        bad_scopes = [s for s in self.scopes or [] if s not in (1, 2, 3)]
        if bad_scopes:
            errors["scopes"] = _("Scopes are 1, 2 and 3.")
        if errors:
            raise ValidationError(errors)

    @property
    def is_complete(self) -> bool:
        """Whether the pledge has every figure and word it needs to be sent."""
        try:
            self.clean()
        except ValidationError:
            return False
        return True

    def _check_agreement_is_editable(self):
        status = Agreement.objects.filter(pk=self.agreement_id).values_list("status", flat=True)
        if status and status[0] != Agreement.Status.DRAFT:
            raise ImmutableError(_("Pledges can only change while the agreement is a draft."))


class AgreementComment(models.Model):
    """Comments between staff and the company's representatives on a draft."""

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    text = models.TextField(_("comment"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self):
        return self.text[:60]


class SealedSignature(models.Model):
    """What every online signature records (agreements, commitment papers), and the rule
    that a signature, once made, is never changed or deleted."""

    typed_name = models.CharField(_("full name"), max_length=150)
    title = models.CharField(_("title"), max_length=150)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=500, blank=True)
    content_sha256 = models.CharField(max_length=64)
    # UTC, set when the row is written; a database trigger keeps it (and the row) unchanged.
    signed_at = models.DateTimeField(_("signed at"), default=timezone.now)

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if self.pk and not kwargs.get("force_insert"):
            raise ImmutableError(_("A signature cannot be changed."))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ImmutableError(_("A signature cannot be deleted."))


class Signature(SealedSignature):
    """A party's signature: the legal record. Never changed or deleted once written."""

    class Party(models.TextChoices):
        COMPANY = "company", _("the company")
        MUNICIPALITY = "municipality", _("the municipality")

    agreement = models.ForeignKey(Agreement, on_delete=models.PROTECT, related_name="signatures")
    party = models.CharField(max_length=12, choices=Party.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="signatures"
    )

    class Meta:
        verbose_name = _("signature")
        verbose_name_plural = _("signatures")
        ordering = ["signed_at"]
        constraints = [
            models.UniqueConstraint(fields=["agreement", "party"], name="one_signature_per_party"),
        ]

    def __str__(self):
        return f"{self.typed_name} ({self.get_party_display()})"


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
