from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from klimaalliance.models import Alliance

from .industries import Industry, SizeBand
from .validators import validate_cvr


class Company(models.Model):
    """A company in the register. One company may take part in several alliances."""

    cvr = models.CharField(_("CVR number"), max_length=8, unique=True, validators=[validate_cvr])
    legal_name = models.CharField(_("legal name"), max_length=200)
    display_name = models.CharField(
        _("display name"),
        max_length=120,
        blank=True,
        help_text=_("The name people know, if it differs."),
    )
    industry = models.CharField(_("industry"), max_length=1, choices=Industry.choices)
    sub_industry = models.CharField(_("sub-industry"), max_length=200, blank=True)
    size_band = models.CharField(_("size"), max_length=10, choices=SizeBand.choices, blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    postcode = models.CharField(_("postcode"), max_length=4, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    website = models.URLField(_("website"), blank=True)
    description = models.TextField(_("public description (Danish)"), blank=True)
    description_en = models.TextField(_("public description (English)"), blank=True)
    logo = models.ImageField(_("logo"), upload_to="companies/logos/", blank=True)
    logo_alt = models.CharField(_("logo text alternative"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("company")
        verbose_name_plural = _("companies")
        ordering = ["legal_name"]

    def __str__(self):
        return self.name

    @property
    def name(self):
        return self.display_name or self.legal_name

    def description_in(self, language):
        if language == "en" and self.description_en:
            return self.description_en
        return self.description


class Membership(models.Model):
    """A company's membership of an alliance, from prospect to left."""

    class Status(models.TextChoices):
        PROSPECT = "prospect", _("prospect")
        INVITED = "invited", _("invited")
        ACTIVE = "active", _("active")
        PAUSED = "paused", _("paused")
        LEFT = "left", _("left")

    alliance = models.ForeignKey(Alliance, on_delete=models.CASCADE, related_name="memberships")
    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="memberships")
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PROSPECT, db_index=True
    )
    joined_on = models.DateField(_("joined on"), null=True, blank=True)
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    end_reason = models.TextField(_("reason for leaving"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        ordering = ["company__legal_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["alliance", "company"], name="one_membership_per_company"
            ),
        ]

    def __str__(self):
        return f"{self.company} – {self.alliance}"

    def get_absolute_url(self):
        return reverse(
            "companies:company-detail",
            kwargs={"alliance_slug": self.alliance.slug, "pk": self.company_id},
        )


class Representation(models.Model):
    """A user who acts for a company; `may_sign` marks who may sign for it (tegningsberettiget)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="representations"
    )
    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="representatives")
    title = models.CharField(_("title"), max_length=120, blank=True)
    may_sign = models.BooleanField(_("may sign for the company"), default=False)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("representative")
        verbose_name_plural = _("representatives")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "company"], name="one_representation_per_company"
            ),
        ]

    def __str__(self):
        return f"{self.user} – {self.company}"
