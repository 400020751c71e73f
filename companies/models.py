import secrets

from django.conf import settings
from django.db import models
from django.db.models.functions import Coalesce, Lower, NullIf
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from klimaalliance.models import Alliance
from klimaalliance.search import search_key
from klimaalliance.storage import private_storage

from .industries import Industry, SizeBand
from .validators import validate_cvr, validate_postcode

# The name a company is listed under, folded for sorting: the public partner list and the
# API sort by it, and its index (Company.Meta) lets a deep page start with an index seek.
SORT_NAME = Lower(Coalesce(NullIf("display_name", models.Value("")), "legal_name"))


class Company(models.Model):
    """A company in the register. One company may take part in several alliances."""

    cvr = models.CharField(
        _("CVR number"),
        max_length=8,
        unique=True,
        validators=[validate_cvr],
        error_messages={"unique": _("A company with this CVR number is already registered.")},
    )
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
    postcode = models.CharField(
        _("postcode"), max_length=4, blank=True, validators=[validate_postcode]
    )
    city = models.CharField(_("city"), max_length=100, blank=True)
    website = models.URLField(_("website"), blank=True)
    description = models.TextField(_("public description (Danish)"), blank=True)
    description_en = models.TextField(_("public description (English)"), blank=True)
    logo = models.ImageField(_("logo"), upload_to="companies/logos/", blank=True)
    logo_alt = models.CharField(_("logo text alternative"), max_length=200, blank=True)
    publishes_figures = models.BooleanField(
        _("publish climate figures"),
        default=False,
        help_text=_(
            "Show the approved yearly emissions and progress on the public partner profile."
        ),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Names and descriptions folded for search on any database (klimaalliance.search).
    search_text = models.TextField(editable=False, blank=True, default="")

    history = HistoricalRecords(excluded_fields=["updated_at", "search_text"])

    SEARCHED_FIELDS = ("legal_name", "display_name", "description", "description_en", "city")

    class Meta:
        verbose_name = _("company")
        verbose_name_plural = _("companies")
        ordering = ["legal_name"]
        indexes = [
            models.Index(SORT_NAME, models.F("id"), name="company_sort_name"),
            # The staff member list's order: its first pages without sorting every member.
            models.Index(fields=["legal_name"], name="company_legal_name"),
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.search_text = search_key(*(getattr(self, f) for f in self.SEARCHED_FIELDS))
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and set(update_fields) & set(self.SEARCHED_FIELDS):
            kwargs["update_fields"] = {*update_fields, "search_text"}
        super().save(*args, **kwargs)

    @property
    def name(self):
        return self.display_name or self.legal_name

    def description_in(self, language):
        if language == "en" and self.description_en:
            return self.description_en
        return self.description


class ContactPerson(models.Model):
    """A person at a company the municipality talks to; may become a representative."""

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="contacts")
    name = models.CharField(_("name"), max_length=150)
    title = models.CharField(_("title"), max_length=120, blank=True)
    email = models.EmailField(_("e-mail address"))
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    may_sign = models.BooleanField(_("may sign for the company"), default=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="contact_records",
        verbose_name=_("account"),
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("contact person")
        verbose_name_plural = _("contact persons")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["company", "email"], name="one_contact_per_email"),
        ]

    def __str__(self):
        return f"{self.name} ({self.company})"


class MembershipLevel(models.Model):
    """An alliance's membership tier, e.g. Odense's "supporter" to "ambassador"."""

    alliance = models.ForeignKey(Alliance, on_delete=models.CASCADE, related_name="levels")
    name = models.CharField(_("name (Danish)"), max_length=80)
    name_en = models.CharField(_("name (English)"), max_length=80, blank=True)
    rank = models.PositiveSmallIntegerField(_("rank"), default=1, help_text=_("1 is the first."))
    description = models.TextField(_("description"), blank=True)

    class Meta:
        verbose_name = _("membership level")
        verbose_name_plural = _("membership levels")
        ordering = ["alliance", "rank"]
        constraints = [
            models.UniqueConstraint(fields=["alliance", "name"], name="unique_level_name"),
        ]

    def __str__(self):
        return self.name

    def name_in(self, language):
        return self.name_en if language == "en" and self.name_en else self.name


class Membership(models.Model):
    """A company's membership of an alliance, from prospect to left.

    Status changes go through `companies.services.membership_change_status`, which keeps
    the timeline (`MembershipEvent`) and enforces the allowed transitions.
    """

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
    level = models.ForeignKey(
        MembershipLevel,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="memberships",
        verbose_name=_("level"),
    )
    joined_on = models.DateField(_("joined on"), null=True, blank=True)
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    end_reason = models.TextField(_("reason for leaving"), blank=True)
    # The company shares its contacts, people, climate accounts and agreements with this
    # alliance from this moment: it was registered here, or a person who may sign for it
    # accepted the alliance's membership invitation (see companies/access.py).
    access_granted_at = models.DateTimeField(_("company data shared since"), null=True, blank=True)
    access_granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("shared by"),
    )
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
        # The staff pages' members-by-status counts read this index alone (no table rows).
        indexes = [models.Index(fields=["alliance", "status"], name="membership_alliance_status")]

    def __str__(self):
        return f"{self.company} – {self.alliance}"

    def get_absolute_url(self):
        return reverse(
            "companies:company-detail",
            kwargs={"alliance_slug": self.alliance.slug, "pk": self.company_id},
        )

    @property
    def has_access(self) -> bool:
        """Whether the company shares its non-public data with this alliance."""
        return self.access_granted_at is not None

    @property
    def awaits_answer(self) -> bool:
        """An open membership invitation the company has not answered yet."""
        return self.status == self.Status.INVITED and not self.has_access


class MembershipEvent(models.Model):
    """One step in a membership's timeline."""

    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="events")
    from_status = models.CharField(max_length=10, choices=Membership.Status.choices, blank=True)
    to_status = models.CharField(max_length=10, choices=Membership.Status.choices)
    note = models.TextField(_("note"), blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-changed_at", "-pk"]

    def __str__(self):
        return f"{self.membership}: {self.from_status} → {self.to_status}"


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


class InternalNote(models.Model):
    """A note about a company that only the alliance's staff see."""

    alliance = models.ForeignKey(Alliance, on_delete=models.CASCADE, related_name="+")
    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="internal_notes")
    text = models.TextField(_("note"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("internal note")
        verbose_name_plural = _("internal notes")
        ordering = ["-created_at"]

    def __str__(self):
        return self.text[:60]


class Dialogue(models.Model):
    """One contact with a company (meeting, call, e-mail) and its follow-up."""

    class Kind(models.TextChoices):
        MEETING = "meeting", _("meeting")
        PHONE = "phone", _("phone call")
        EMAIL = "email", _("e-mail")
        VISIT = "visit", _("company visit")
        OTHER = "other", _("other")

    alliance = models.ForeignKey(Alliance, on_delete=models.CASCADE, related_name="+")
    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="dialogues")
    date = models.DateField(_("date"))
    kind = models.CharField(_("type"), max_length=10, choices=Kind.choices)
    summary = models.TextField(_("summary"))
    follow_up_on = models.DateField(_("follow up on"), null=True, blank=True, db_index=True)
    follow_up_done = models.BooleanField(_("follow-up done"), default=False)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("dialogue entry")
        verbose_name_plural = _("dialogue log")
        ordering = ["-date", "-pk"]

    def __str__(self):
        return f"{self.date} {self.get_kind_display()}: {self.summary[:40]}"


def new_nonce():
    return secrets.token_urlsafe(16)


class Invitation(models.Model):
    """An e-mailed, signed, single-use link that makes a contact a company representative.

    The link carries the invitation id and a nonce signed with a timestamp (see
    `companies.invitations`); resending draws a new nonce, so older links stop working.
    """

    INVITATION_DAYS = 7

    alliance = models.ForeignKey(Alliance, on_delete=models.CASCADE, related_name="invitations")
    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="invitations")
    contact = models.ForeignKey(ContactPerson, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField(_("e-mail address"))
    # Decided by the staff member when inviting; accepting the link never reads it from the
    # contact, which the company's own people may edit.
    may_sign = models.BooleanField(_("may sign for the company"), default=False)
    language = models.CharField(
        _("language"), max_length=8, choices=settings.LANGUAGES, default="da"
    )
    nonce = models.CharField(max_length=32, default=new_nonce)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    sent_at = models.DateTimeField(_("sent at"), default=timezone.now)
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["-sent_at"]

    def __str__(self):
        return f"{self.email} → {self.company}"

    @property
    def expires_at(self):
        return self.sent_at + timezone.timedelta(days=self.INVITATION_DAYS)

    @property
    def state(self):
        if self.accepted_at:
            return "accepted"
        if self.revoked_at:
            return "revoked"
        if timezone.now() > self.expires_at:
            return "expired"
        return "pending"


class ImportJob(models.Model):
    """An uploaded spreadsheet of companies: previewed, then imported all-or-nothing."""

    class Status(models.TextChoices):
        PREVIEW = "preview", _("awaiting confirmation")
        QUEUED = "queued", _("queued")
        RUNNING = "running", _("importing")
        DONE = "done", _("done")
        FAILED = "failed", _("failed")

    alliance = models.ForeignKey(Alliance, on_delete=models.CASCADE, related_name="import_jobs")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    file = models.FileField(_("file"), upload_to="imports/", storage=private_storage)
    original_name = models.CharField(max_length=255)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PREVIEW)
    total_rows = models.PositiveIntegerField(default=0)
    processed_rows = models.PositiveIntegerField(default=0)
    created_count = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.original_name} ({self.get_status_display()})"

    @property
    def percent(self):
        if not self.total_rows:
            return 0
        return int(100 * self.processed_rows / self.total_rows)


def story_image_path(instance, filename):
    return f"stories/{secrets.token_hex(12)}.png"


class Story(models.Model):
    """A partner's short climate story: written by a representative, approved by staff,
    then shown on the alliance's front page and in its feed."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("awaiting approval")
        APPROVED = "approved", _("published")
        REJECTED = "rejected", _("not approved")

    alliance = models.ForeignKey(Alliance, on_delete=models.CASCADE, related_name="stories")
    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="stories")
    title = models.CharField(_("title"), max_length=150)
    text = models.TextField(_("story"), max_length=4000)
    image = models.ImageField(_("image"), upload_to=story_image_path, blank=True)
    image_alt = models.CharField(_("image text alternative"), max_length=200, blank=True)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=Status.choices,
        default=Status.SUBMITTED,
        db_index=True,
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    review_comment = models.TextField(_("comment to the company"), blank=True)
    published_at = models.DateTimeField(_("published"), null=True, blank=True, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("partner story")
        verbose_name_plural = _("partner stories")
        ordering = ["-published_at", "-created_at"]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("story-detail", kwargs={"alliance_slug": self.alliance.slug, "pk": self.pk})
