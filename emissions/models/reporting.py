"""The yearly reporting round: staff open it, every active member reports, staff review.

A report moves draft → submitted → approved, or back to `returned` with a comment; once
approved it and the year's figures never change (only its rendered PDF is added). Rules of
who may do what live in `emissions.reporting`; the model guards what must never happen.
"""

import datetime
import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from companies.models import Company
from klimaalliance.models import Alliance
from klimaalliance.storage import private_storage
from partnerships.models import Pledge

from .inventories import ImmutableError, validate_inventory_year


def default_deadline():
    return timezone.localdate() + datetime.timedelta(days=60)


class ReportingRound(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("open")
        CLOSED = "closed", _("closed")

    alliance = models.ForeignKey(Alliance, on_delete=models.PROTECT, related_name="rounds")
    year = models.PositiveSmallIntegerField(
        _("reporting year"), validators=[validate_inventory_year]
    )
    deadline = models.DateField(_("deadline"), default=default_deadline)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    opened_at = models.DateTimeField(default=timezone.now)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("reporting round")
        verbose_name_plural = _("reporting rounds")
        ordering = ["alliance", "-year"]
        constraints = [
            models.UniqueConstraint(
                fields=["alliance", "year"],
                name="one_round_per_alliance_year",
                violation_error_message=_("A reporting round for that year already exists."),
            ),
        ]

    def __str__(self):
        return f"{self.alliance} {self.year}"

    @property
    def is_open(self):
        return self.status == self.Status.OPEN


def report_pdf_path(instance, filename):
    return f"reports/{instance.company_id}/{instance.round.year}-{instance.pdf_token}.pdf"


def new_token():
    return secrets.token_hex(16)


class Report(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("not submitted")
        SUBMITTED = "submitted", _("submitted")
        RETURNED = "returned", _("sent back")
        APPROVED = "approved", _("approved")

    # Fields a rendered PDF may still set on an approved report.
    PDF_FIELDS = frozenset({"pdf", "pdf_sha256", "pdf_generated_at", "pdf_batch"})

    round = models.ForeignKey(ReportingRound, on_delete=models.PROTECT, related_name="reports")
    company = models.ForeignKey(Company, on_delete=models.PROTECT, related_name="reports")
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    narrative = models.TextField(
        _("the year in brief"),
        blank=True,
        help_text=_("A few lines on what the company did this year; published with the report."),
    )
    # The company's own deadline, overriding the round's: an extension, or the deadline of a
    # company that joined while the round was open (`reporting.membership_joins_rounds`).
    extended_deadline = models.DateField(_("extended deadline"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1)
    submitted_at = models.DateTimeField(null=True, blank=True)
    # Set when first submitted after the (effective) deadline; kept when a report sent back
    # is submitted again, and not undone by a later extension.
    submitted_late = models.BooleanField(_("submitted late"), default=False)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    review_comment = models.TextField(_("comment to the company"), blank=True)
    pdf_token = models.CharField(max_length=32, default=new_token, editable=False)
    pdf = models.FileField(upload_to=report_pdf_path, blank=True, storage=private_storage)
    pdf_sha256 = models.CharField(max_length=64, blank=True)
    pdf_generated_at = models.DateTimeField(null=True, blank=True)
    pdf_batch = models.ForeignKey(
        "ReportBatch", on_delete=models.SET_NULL, null=True, blank=True, related_name="reports"
    )

    class Meta:
        verbose_name = _("progress report")
        verbose_name_plural = _("progress reports")
        ordering = ["round", "company__legal_name"]
        constraints = [
            models.UniqueConstraint(fields=["round", "company"], name="one_report_per_round"),
        ]

    def __str__(self):
        return f"{self.company} {self.round.year}"

    def save(self, *args, **kwargs):
        update_fields = kwargs.get("update_fields")
        if self.pk and not (update_fields and set(update_fields) <= self.PDF_FIELDS):
            stored = type(self).objects.filter(pk=self.pk).values_list("status", flat=True)
            if stored and stored[0] == self.Status.APPROVED:
                raise ImmutableError(_("An approved report cannot be changed."))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if type(self).objects.filter(pk=self.pk, status=self.Status.APPROVED).exists():
            raise ImmutableError(_("An approved report cannot be deleted."))
        return super().delete(*args, **kwargs)

    @property
    def deadline(self):
        return self.extended_deadline or self.round.deadline

    @property
    def is_overdue(self):
        return self.status in (self.Status.DRAFT, self.Status.RETURNED) and (
            timezone.localdate() > self.deadline
        )

    @property
    def is_editable(self):
        return self.round.is_open and self.status in (self.Status.DRAFT, self.Status.RETURNED)


class PledgeStatus(models.Model):
    """What a report says about one pledge: a value, or a milestone's state."""

    class Milestone(models.TextChoices):
        NOT_STARTED = "not_started", _("not started")
        IN_PROGRESS = "in_progress", _("in progress")
        DONE = "done", _("done")

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="pledge_statuses")
    pledge = models.ForeignKey(Pledge, on_delete=models.PROTECT, related_name="statuses")
    value = models.DecimalField(_("value this year"), max_digits=14, decimal_places=2, null=True)
    milestone = models.CharField(_("status"), max_length=12, choices=Milestone.choices, blank=True)
    note = models.CharField(_("short note"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("pledge status")
        verbose_name_plural = _("pledge statuses")
        constraints = [
            models.UniqueConstraint(fields=["report", "pledge"], name="one_status_per_pledge"),
        ]

    def __str__(self):
        return f"{self.report}: {self.pledge}"

    def save(self, *args, **kwargs):
        if Report.objects.filter(pk=self.report_id, status=Report.Status.APPROVED).exists():
            raise ImmutableError(_("An approved report cannot be changed."))
        super().save(*args, **kwargs)


class ReportReminder(models.Model):
    """One row per reminder sent, so beat can run as often as it likes without repeating."""

    class Kind(models.TextChoices):
        OPENED = "opened", _("round opened")
        DAYS_14 = "14_days", _("14 days left")
        DAYS_3 = "3_days", _("3 days left")
        OVERDUE = "overdue", _("overdue")

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="reminders")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["report", "kind"], name="one_reminder_per_kind"),
        ]

    def __str__(self):
        return f"{self.report}: {self.kind}"


class ReportBatch(models.Model):
    """A staff-started run that renders every approved report of a round as PDF.

    Progress is counted from the reports themselves (`pdf_batch`), so a worker that dies and
    a task that is delivered twice neither loses nor double-counts a report.
    """

    round = models.ForeignKey(ReportingRound, on_delete=models.CASCADE, related_name="batches")
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    started_at = models.DateTimeField(default=timezone.now)
    total = models.PositiveIntegerField(default=0)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-started_at"]

    def __str__(self):
        return f"{self.round} @ {self.started_at:%Y-%m-%d %H:%M}"


def alliance_report_path(instance, filename):
    return f"alliance-reports/{instance.alliance_id}/{instance.year}-{instance.pdf_token}.pdf"


class AllianceReport(models.Model):
    """The alliance's annual report for a year, rendered as PDF."""

    alliance = models.ForeignKey(Alliance, on_delete=models.CASCADE, related_name="reports")
    year = models.PositiveSmallIntegerField(_("year"))
    pdf_token = models.CharField(max_length=32, default=new_token, editable=False)
    pdf = models.FileField(upload_to=alliance_report_path, blank=True, storage=private_storage)
    pdf_sha256 = models.CharField(max_length=64, blank=True)
    generated_at = models.DateTimeField(null=True, blank=True)
    requested_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["alliance", "year"], name="one_annual_report"),
        ]

    def __str__(self):
        return f"{self.alliance} {self.year}"

    def clean(self):
        if self.year and self.year > timezone.localdate().year:
            raise ValidationError({"year": _("The year cannot be in the future.")})


def published_results_path(instance, filename):
    return f"results/{instance.alliance_id}/{instance.pdf_token}-{filename}"


class PublishedResults(models.Model):
    """The alliance's climate results for the public, as a PDF in Danish and English: the
    public progress (emissions.public) as it stood when staff last published it."""

    alliance = models.OneToOneField(
        Alliance, on_delete=models.CASCADE, related_name="published_results"
    )
    pdf_token = models.CharField(max_length=32, default=new_token, editable=False)
    pdf = models.FileField(upload_to=published_results_path, blank=True, storage=private_storage)
    pdf_en = models.FileField(upload_to=published_results_path, blank=True, storage=private_storage)
    requested_at = models.DateTimeField(default=timezone.now)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    generated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("published results")
        verbose_name_plural = _("published results")

    def __str__(self):
        return f"{self.alliance}"

    @property
    def pending(self) -> bool:
        """Requested again (or never rendered) since the files were last made."""
        return self.generated_at is None or self.requested_at > self.generated_at
