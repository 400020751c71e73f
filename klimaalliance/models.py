"""The tenant (one climate alliance per municipality), user accounts and staff roles.

These live in the project package because every app depends on them and none of the
feature apps should own them: companies, partnerships and emissions all hang off an
`Alliance` and check a `User`'s roles.
"""

import os
import unicodedata
import uuid

from django.conf import settings
from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from .storage import private_storage

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
        user = self.model(email=self.sign_in_email(self.normalize_email(email)), **extra_fields)
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

    @staticmethod
    def sign_in_email(value) -> str:
        """A typed address in the one form sign-in looks up and lockouts count: NFKC,
        trimmed, lower-cased, as accounts are stored."""
        return unicodedata.normalize("NFKC", str(value)).strip().lower()

    def get_by_natural_key(self, email):
        # An exact match: a case-insensitive one in PostgreSQL lets look-alikes reach an
        # account ("admın@" matches "admin@"), each with five fresh tries of its own.
        return self.get(email=self.sign_in_email(email))


class NotificationMode(models.TextChoices):
    IMMEDIATE = "immediate", _("one mail for each notification")
    DIGEST = "digest", _("one mail a day with everything new")


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
    notification_mode = models.CharField(
        _("notifications"),
        max_length=10,
        choices=NotificationMode.choices,
        default=NotificationMode.IMMEDIATE,
        help_text=_(
            "Mail each notification at once, or collect them in one mail a day. Deadlines "
            "and signatures are always mailed at once."
        ),
    )
    # A private calendar feed's address (klimaalliance/notifications.py); empty: no feed.
    calendar_token = models.CharField(max_length=43, blank=True, default="", db_index=True)

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
    address = models.TextField(
        _("address"), blank=True, help_text=_("The postal or visiting address, as it is written.")
    )
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


def seal_certificate_path(instance, filename):
    """An unguessable name in the private storage; the uploaded name says nothing."""
    return f"seal/{uuid.uuid4().hex}.p12"


class SealCertificate(models.Model):
    """An organisation certificate with its private key (a PKCS#12 file) that seals the
    portal's signed PDFs (klimaalliance/seal.py).

    A row with an alliance seals that alliance's documents; the row without one is the
    platform's, used for every alliance that has none. The file lies in the private storage
    and is never served; its password is never stored: `password_env` names the environment
    variable that holds it. A replaced certificate stays as an inactive row, for the record:
    documents it sealed are verified against the trust roots, not against this table.
    """

    alliance = models.ForeignKey(
        Alliance,
        verbose_name=_("alliance"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="seal_certificates",
        help_text=_("Empty: the platform's certificate, for alliances without their own."),
    )
    label = models.CharField(_("label"), max_length=200)
    pkcs12 = models.FileField(
        _("PKCS#12 file"), storage=private_storage, upload_to=seal_certificate_path
    )
    password_env = models.CharField(
        _("password environment variable"),
        max_length=100,
        default="SEAL_P12_PASSWORD",
        blank=True,
        validators=[RegexValidator(r"^[A-Z_][A-Z0-9_]*$")],
        help_text=_(
            "Name of the server's environment variable that holds the file's password. "
            "Empty: the file has no password."
        ),
    )
    subject = models.CharField(_("subject"), max_length=500, editable=False)
    issuer = models.CharField(_("issuer"), max_length=500, editable=False)
    serial_number = models.CharField(_("serial number"), max_length=100, editable=False)
    fingerprint_sha256 = models.CharField(_("SHA-256 fingerprint"), max_length=64, editable=False)
    valid_from = models.DateTimeField(_("valid from"), null=True, editable=False)
    valid_until = models.DateTimeField(_("valid until"), null=True, editable=False)
    is_active = models.BooleanField(_("active"), default=True)
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("seal certificate")
        verbose_name_plural = _("seal certificates")
        ordering = ["-uploaded_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["alliance"],
                condition=models.Q(is_active=True),
                nulls_distinct=False,
                name="one_active_seal_certificate",
            )
        ]

    def __str__(self):
        return f"{self.label} ({self.subject})"

    def save(self, *args, **kwargs):
        """An active row replaces the alliance's (or the platform's) active one, which stays
        as an inactive row."""
        from django.db import transaction

        with transaction.atomic():
            if self.is_active:
                SealCertificate.objects.filter(
                    alliance_id=self.alliance_id, is_active=True
                ).exclude(pk=self.pk).update(is_active=False)
            super().save(*args, **kwargs)

    def validate_constraints(self, exclude=None):
        # One active row per alliance holds without asking anyone to deactivate the old
        # one first: save() retires it.
        super().validate_constraints(exclude={*(exclude or ()), "alliance"})

    def password(self) -> bytes | None:
        """The file's password from the environment; None when the file has none."""
        if not self.password_env:
            return None
        value = os.environ.get(self.password_env)
        if value is None:
            raise ValueError(f"The environment variable {self.password_env} is not set.")
        return value.encode()

    def pkcs12_bytes(self) -> bytes:
        with self.pkcs12.open("rb") as handle:
            return handle.read()

    @staticmethod
    def open_pkcs12(data: bytes, password: bytes | None):
        """(key, certificate, chain) of a PKCS#12 file; ValueError when it does not open
        or lacks the key or the certificate. The message never contains the key."""
        from cryptography.hazmat.primitives.serialization import pkcs12

        try:
            key, certificate, chain = pkcs12.load_key_and_certificates(data, password)
        except (ValueError, TypeError) as error:
            raise ValueError("The file is not a PKCS#12 file this password opens.") from error
        if key is None or certificate is None:
            raise ValueError("The PKCS#12 file must hold both the private key and its certificate.")
        return key, certificate, chain

    def read_certificate(self, data: bytes) -> None:
        """Fill subject, issuer, serial, fingerprint and validity from the file's bytes."""
        from cryptography.hazmat.primitives import hashes

        _key, certificate, _chain = self.open_pkcs12(data, self.password())
        self.subject = certificate.subject.rfc4514_string()[:500]
        self.issuer = certificate.issuer.rfc4514_string()[:500]
        self.serial_number = format(certificate.serial_number, "x")[:100]
        self.fingerprint_sha256 = certificate.fingerprint(hashes.SHA256()).hex()
        self.valid_from = certificate.not_valid_before_utc
        self.valid_until = certificate.not_valid_after_utc


class Notification(models.Model):
    """A notification kept for the person's daily digest (klimaalliance/notifications.py),
    rendered in their language when it happened; `sent_at` is set by the digest that
    carried it."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(max_length=60)
    subject = models.CharField(max_length=300)
    text = models.TextField()
    link = models.URLField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["pk"]
        indexes = [
            models.Index(
                fields=["user"],
                condition=models.Q(sent_at__isnull=True),
                name="notification_unsent",
            )
        ]

    def __str__(self):
        return f"{self.user_id} {self.kind}: {self.subject}"


class NotificationOnce(models.Model):
    """A notification that must go out once only (e.g. "expires within 90 days"), by key."""

    key = models.CharField(max_length=200, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return self.key
