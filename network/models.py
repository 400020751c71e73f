"""Working groups, commitment papers, the inspiration catalogue and networks of alliances.

Besides one-to-one agreements, companies work together in an alliance's working groups
(Aarhus: mobility, circular procurement, logistics, …) and sign joint commitment papers;
municipalities learn from each other's cases and meet in networks such as DK2020's.
"""

import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from companies.models import Company
from klimaalliance.choices import FocusArea, PartnershipForm
from klimaalliance.models import Alliance
from klimaalliance.storage import private_storage
from partnerships.models import SealedSignature


class Theme(models.TextChoices):
    MOBILITY = "mobility", _("Green mobility")
    PROCUREMENT = "procurement", _("Circular procurement")
    LOGISTICS = "logistics", _("Climate-neutral logistics")
    DELIVERIES = "deliveries", _("Coordinated deliveries")
    COMPETENCES = "competences", _("Competences")
    ENERGY = "energy", _("Energy")
    OTHER = "other", _("Other")


class WorkingGroup(models.Model):
    class Status(models.TextChoices):
        STARTING = "starting", _("starting")
        ACTIVE = "active", _("active")
        CLOSED = "closed", _("closed")

    class ChairMode(models.TextChoices):
        FIXED = "fixed", _("fixed chair")
        ROTATING = "rotating", _("rotating chair")

    alliance = models.ForeignKey(Alliance, on_delete=models.CASCADE, related_name="groups")
    name = models.CharField(_("name"), max_length=150)
    theme = models.CharField(_("theme"), max_length=20, choices=Theme.choices)
    description = models.TextField(_("description (Danish)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.STARTING
    )
    chair_mode = models.CharField(
        _("chair"), max_length=10, choices=ChairMode.choices, default=ChairMode.FIXED
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("working group")
        verbose_name_plural = _("working groups")
        ordering = ["alliance", "name"]
        constraints = [
            models.UniqueConstraint(fields=["alliance", "name"], name="unique_group_name"),
        ]

    def __str__(self):
        return self.name

    def description_in(self, language):
        if language == "en" and self.description_en:
            return self.description_en
        return self.description


class ChairTerm(models.Model):
    """Who chaired a group when; the term without an end is the current chair."""

    group = models.ForeignKey(WorkingGroup, on_delete=models.CASCADE, related_name="chair_terms")
    company = models.ForeignKey(Company, on_delete=models.PROTECT, related_name="chair_terms")
    started_on = models.DateField(_("from"))
    ended_on = models.DateField(_("until"), null=True, blank=True)

    class Meta:
        ordering = ["group", "-started_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["group"],
                condition=models.Q(ended_on__isnull=True),
                name="one_current_chair",
            ),
        ]

    def __str__(self):
        return f"{self.company} ({self.started_on}–{self.ended_on or ''})"


class GroupMember(models.Model):
    """A company's membership of a group; leaving keeps the row (and its signatures)."""

    group = models.ForeignKey(WorkingGroup, on_delete=models.CASCADE, related_name="members")
    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="group_memberships")
    joined_on = models.DateField(_("joined on"))
    left_on = models.DateField(_("left on"), null=True, blank=True)

    class Meta:
        ordering = ["group", "company__legal_name"]
        constraints = [
            models.UniqueConstraint(fields=["group", "company"], name="one_group_membership"),
        ]

    def __str__(self):
        return f"{self.company} – {self.group}"

    @property
    def is_current(self):
        return self.left_on is None


class Meeting(models.Model):
    group = models.ForeignKey(WorkingGroup, on_delete=models.CASCADE, related_name="meetings")
    date = models.DateField(_("date"))
    agenda = models.TextField(_("agenda"), blank=True)
    minutes = models.TextField(_("minutes"), blank=True)

    class Meta:
        ordering = ["group", "-date"]

    def __str__(self):
        return f"{self.group} {self.date}"


def document_path(instance, filename):
    return f"groups/{secrets.token_hex(16)}.pdf"


class GroupDocument(models.Model):
    """A result of a group, e.g. a guide, as PDF; `is_published` shows it to the public."""

    group = models.ForeignKey(WorkingGroup, on_delete=models.CASCADE, related_name="documents")
    title = models.CharField(_("title"), max_length=200)
    file = models.FileField(_("PDF file"), upload_to=document_path, storage=private_storage)
    is_published = models.BooleanField(_("published"), default=False)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["group", "-created_at"]

    def __str__(self):
        return self.title


def paper_pdf_path(instance, filename):
    return f"commitments/{secrets.token_hex(16)}.pdf"


class CommitmentPaper(models.Model):
    """A joint declaration of a working group that its member companies sign online."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        OPEN = "open", _("open for signatures")
        CLOSED = "closed", _("closed")

    group = models.ForeignKey(WorkingGroup, on_delete=models.CASCADE, related_name="papers")
    title = models.CharField(_("title (Danish)"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=200, blank=True)
    text = models.TextField(_("text (Danish)"))
    text_en = models.TextField(_("text (English)"), blank=True)
    focus_area = models.CharField(
        _("focus area"), max_length=20, choices=FocusArea.choices, blank=True
    )
    target_year = models.PositiveSmallIntegerField(_("target year"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    published_at = models.DateTimeField(null=True, blank=True)
    pdf = models.FileField(upload_to=paper_pdf_path, blank=True, storage=private_storage)
    pdf_sha256 = models.CharField(max_length=64, blank=True)
    pdf_signatures = models.PositiveIntegerField(
        default=0, help_text="How many signatures the stored PDF shows."
    )
    pdf_generated_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("commitment paper")
        verbose_name_plural = _("commitment papers")
        ordering = ["group", "-created_at"]

    def __str__(self):
        return self.title

    def in_language(self, language):
        if language == "en" and self.title_en and self.text_en:
            return self.title_en, self.text_en
        return self.title, self.text


class CommitmentSignature(SealedSignature):
    """A company's signature on a commitment paper: the same audit trail as an agreement's."""

    paper = models.ForeignKey(CommitmentPaper, on_delete=models.PROTECT, related_name="signatures")
    company = models.ForeignKey(Company, on_delete=models.PROTECT, related_name="commitments")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="commitment_signatures"
    )

    class Meta:
        ordering = ["signed_at"]
        constraints = [
            models.UniqueConstraint(fields=["paper", "company"], name="one_company_signature"),
        ]

    def __str__(self):
        return f"{self.company} – {self.paper}"


class InspirationCase(models.Model):
    """A partnership case one alliance publishes for every municipality to learn from."""

    alliance = models.ForeignKey(Alliance, on_delete=models.CASCADE, related_name="cases")
    title = models.CharField(_("title"), max_length=200)
    municipality = models.CharField(_("municipality"), max_length=100)
    partnership_form = models.CharField(
        _("partnership form"), max_length=20, choices=PartnershipForm.choices
    )
    focus_area = models.CharField(_("focus area"), max_length=20, choices=FocusArea.choices)
    companies_involved = models.TextField(_("companies involved"), blank=True)
    what_was_done = models.TextField(_("what was done"))
    results = models.TextField(_("results, with figures"), blank=True)
    contact = models.CharField(_("contact"), max_length=200, blank=True)
    source = models.CharField(_("source"), max_length=300, blank=True)
    source_url = models.URLField(_("link to the source"), blank=True)
    is_published = models.BooleanField(_("published"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("inspiration case")
        verbose_name_plural = _("inspiration catalogue")
        ordering = ["-created_at"]

    def __str__(self):
        return self.title


class AllianceNetwork(models.Model):
    """A network of municipalities, e.g. the DK2020 climate alliance of 16 municipalities."""

    name = models.CharField(_("name"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    slug = models.SlugField(_("address name"), unique=True)
    description = models.TextField(_("description"), blank=True)
    joint_declaration = models.TextField(_("joint declaration"), blank=True)
    source = models.CharField(_("source"), max_length=300, blank=True)
    source_url = models.URLField(_("link to the source"), blank=True)

    class Meta:
        verbose_name = _("network of municipalities")
        verbose_name_plural = _("networks of municipalities")
        ordering = ["name"]

    def __str__(self):
        return self.name

    def name_in(self, language):
        if language == "en" and self.name_en:
            return self.name_en
        return self.name


class NetworkMember(models.Model):
    network = models.ForeignKey(AllianceNetwork, on_delete=models.CASCADE, related_name="members")
    municipality = models.CharField(_("municipality"), max_length=100)
    alliance = models.ForeignKey(
        Alliance,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="networks",
        help_text=_("The municipality's alliance, if it is on this portal."),
    )

    class Meta:
        ordering = ["network", "municipality"]
        constraints = [
            models.UniqueConstraint(fields=["network", "municipality"], name="one_network_member"),
        ]

    def __str__(self):
        return self.municipality


class AllianceEvent(models.Model):
    """A public event of an alliance: a launch, a network meeting, a summit.

    Shown on the alliance's page, with a page of its own and in the alliance's Atom and
    iCalendar feeds. Dates only (the portal keeps no times of day): `end` for an event of
    several days.
    """

    alliance = models.ForeignKey(
        Alliance, on_delete=models.CASCADE, related_name="events", verbose_name=_("alliance")
    )
    title = models.CharField(_("title"), max_length=200)
    date = models.DateField(_("date"))
    end = models.DateField(
        _("last day"), null=True, blank=True, help_text=_("Only for an event of several days.")
    )
    place = models.CharField(_("place"), max_length=200, blank=True)
    description = models.TextField(_("description"), blank=True)
    link = models.URLField(_("link"), blank=True, help_text=_("Programme or sign-up page."))
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("event")
        verbose_name_plural = _("events")
        ordering = ["date", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end__isnull=True) | models.Q(end__gte=models.F("date")),
                name="event_ends_after_it_starts",
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("event-detail", kwargs={"alliance_slug": self.alliance.slug, "pk": self.pk})

    def clean(self):
        if self.end and self.date and self.end < self.date:
            raise ValidationError({"end": _("The last day cannot come before the first.")})

    @property
    def last_day(self):
        return self.end or self.date


class NetworkEvent(models.Model):
    network = models.ForeignKey(AllianceNetwork, on_delete=models.CASCADE, related_name="events")
    title = models.CharField(_("title"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=200, blank=True)
    date = models.DateField(_("date"))
    place = models.CharField(_("place"), max_length=200, blank=True)
    programme = models.TextField(_("programme"), blank=True)

    class Meta:
        ordering = ["network", "date"]

    def __str__(self):
        return self.title

    def title_in(self, language):
        if language == "en" and self.title_en:
            return self.title_en
        return self.title
