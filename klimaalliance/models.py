"""The tenant (one climate alliance per municipality), user accounts and staff roles.

These live in the project package because every app depends on them and none of the
feature apps should own them: companies, partnerships and emissions all hang off an
`Alliance` and check a `User`'s roles.
"""

from django.conf import settings
from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

# Slugs that would shadow a top-level URL of the portal.
RESERVED_SLUGS = frozenset(
    {
        "accounts",
        "admin",
        "api",
        "en",
        "da",
        "healthz",
        "media",
        "ops",
        "robots.txt",
        "static",
        "sitemap.xml",
        "about",
        "accessibility",
        "privacy",
        "verify",
        "invitation",
        "inspiration",
        "networks",
        "my",
        "i18n",
    }
)


def validate_alliance_slug(value):
    if value in RESERVED_SLUGS:
        raise ValidationError(_("“%(slug)s” is reserved by the portal."), params={"slug": value})


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra_fields)

    def get_by_natural_key(self, email):
        return self.get(email__iexact=email)


class User(AbstractUser):
    """A person who signs in with an e-mail address.

    `is_superuser` marks the platform administrator; municipal staff have a `StaffRole`
    per alliance and company representatives a `companies.Representation` per company.
    """

    username = None
    email = models.EmailField(_("e-mail address"), unique=True)
    language = models.CharField(
        _("language"),
        max_length=8,
        choices=settings.LANGUAGES,
        default="da",
        help_text=_("Language of the e-mails the portal sends to this person."),
    )

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS = []

    objects = UserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["email"]

    def __str__(self):
        return self.get_full_name() or self.email

    def save(self, *args, **kwargs):
        self.email = self.email.lower()
        super().save(*args, **kwargs)

    def staff_role_for(self, alliance):
        """The user's `StaffRole` in `alliance`, or None."""
        if not self.is_authenticated:
            return None
        return self.staff_roles.filter(alliance=alliance).first()


class Alliance(models.Model):
    """A municipality's climate alliance: the tenant everything else belongs to."""

    municipality = models.CharField(_("municipality"), max_length=100)
    municipality_code = models.CharField(
        _("municipality code"),
        max_length=4,
        unique=True,
        validators=[
            RegexValidator(r"^\d{4}$", _("Enter the official four-digit code, e.g. 0851."))
        ],
        help_text=_("The official four-digit code with its leading zero, e.g. 0851 for Aalborg."),
    )
    name = models.CharField(
        _("alliance name"), max_length=150, help_text=_("For example “Klimaalliancen Aalborg”.")
    )
    slug = models.SlugField(
        _("address name"),
        unique=True,
        validators=[validate_alliance_slug],
        help_text=_("Used in the public address, e.g. /aalborg/."),
    )
    description = models.TextField(_("description (Danish)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    launched_on = models.DateField(_("launched on"), null=True, blank=True)
    contact_name = models.CharField(_("contact name"), max_length=150, blank=True)
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=30, blank=True)
    website = models.URLField(_("website"), blank=True)
    logo = models.ImageField(_("logo"), upload_to="alliances/logos/", blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("alliance")
        verbose_name_plural = _("alliances")
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("alliance-detail", kwargs={"alliance_slug": self.slug})

    def description_in(self, language):
        if language == "en" and self.description_en:
            return self.description_en
        return self.description


class AllianceTarget(models.Model):
    """A climate target: reduce emissions by a percentage by a year, against a baseline year."""

    alliance = models.ForeignKey(Alliance, on_delete=models.CASCADE, related_name="targets")
    reduction_percent = models.DecimalField(
        _("reduction in %"),
        max_digits=5,
        decimal_places=1,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text=_("100 means net zero."),
    )
    target_year = models.PositiveSmallIntegerField(
        _("target year"), validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    baseline_year = models.PositiveSmallIntegerField(
        _("baseline year"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1990), MaxValueValidator(2100)],
        help_text=_("Required unless the target is net zero."),
    )

    class Meta:
        verbose_name = _("climate target")
        verbose_name_plural = _("climate targets")
        ordering = ["target_year"]
        constraints = [
            models.UniqueConstraint(
                fields=["alliance", "target_year"], name="one_target_per_alliance_year"
            ),
            models.CheckConstraint(
                condition=models.Q(baseline_year__isnull=True)
                | models.Q(target_year__gt=models.F("baseline_year")),
                name="target_after_baseline",
            ),
        ]

    def __str__(self):
        return f"{self.reduction_percent} % {self.target_year} / {self.baseline_year}"

    @property
    def is_net_zero(self):
        return self.reduction_percent is not None and self.reduction_percent >= 100

    def clean(self):
        if self.baseline_year is None and not self.is_net_zero:
            raise ValidationError({"baseline_year": _("A reduction target needs a baseline year.")})
        if self.target_year and self.baseline_year and self.target_year <= self.baseline_year:
            raise ValidationError(
                {"target_year": _("The target year must come after the baseline year.")}
            )


class StaffRole(models.Model):
    """Municipal staff membership of one alliance."""

    class Role(models.TextChoices):
        TEAM_LEADER = "team_leader", _("team leader")
        STAFF = "staff", _("staff member")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="staff_roles"
    )
    alliance = models.ForeignKey(Alliance, on_delete=models.CASCADE, related_name="staff_roles")
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.STAFF)
    may_countersign = models.BooleanField(
        _("may countersign agreements"),
        default=False,
        help_text=_("Has the authority to sign partnership agreements for the municipality."),
    )

    class Meta:
        verbose_name = _("staff role")
        verbose_name_plural = _("staff roles")
        constraints = [
            models.UniqueConstraint(fields=["user", "alliance"], name="one_role_per_user_alliance"),
        ]

    def __str__(self):
        return f"{self.user} – {self.alliance} ({self.get_role_display()})"


class WorkerHeartbeat(models.Model):
    """Written by a Celery task; proves a worker picked up work from the broker."""

    hostname = models.CharField(max_length=255)
    seen_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-seen_at"]
        get_latest_by = "seen_at"

    def __str__(self):
        return f"{self.hostname} {self.seen_at:%Y-%m-%d %H:%M:%S}"


class OutboxMessage(models.Model):
    """A Celery task to send, written in the same transaction as the change that needs it.

    If the broker is down when that transaction commits, the row stays unsent and the
    sweeper (`manage.py sweep_outbox`, and a beat task) sends it later: the job is never
    lost. See klimaalliance/outbox.py.
    """

    task = models.CharField(max_length=200)
    args = models.JSONField(default=list)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)

    class Meta:
        ordering = ["pk"]
        indexes = [
            models.Index(
                fields=["created_at"],
                condition=models.Q(sent_at__isnull=True),
                name="outbox_unsent",
            )
        ]

    def __str__(self):
        state = f"sent {self.sent_at:%Y-%m-%d %H:%M:%S}" if self.sent_at else "unsent"
        return f"{self.task}{tuple(self.args)} ({state})"
