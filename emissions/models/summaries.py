"""What approval settles, kept on rows so dashboards read figures instead of aggregating
every member's years at request time.

Approved figures never change (`Report.save`, `Inventory.check_editable`), so each row
changes only when a report is approved: `emissions.summaries` recomputes the rows that
approval touches, in its transaction, and rebuilds them all from the reports
(`manage.py rebuild_emission_summaries`). Who counts as a member is not stored here: the
readers join the live membership, so a member leaving or pausing shows at once.

`AllianceFigures` goes one step further for the staff dashboard: the alliance-wide figures
themselves, which also depend on the membership, the agreements and the baselines, so every
change of those outdates them (`emissions.figures`).
"""

from django.db import models

from companies.models import Company
from klimaalliance.models import Alliance
from partnerships.models import Pledge

TONNES = {"max_digits": 16, "decimal_places": 3}


class LatestApproved(models.Model):
    """A company's latest year approved in one of the alliance's rounds, with its total."""

    alliance = models.ForeignKey(Alliance, on_delete=models.CASCADE, related_name="+")
    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="latest_approved")
    year = models.PositiveSmallIntegerField()
    total_location_t = models.DecimalField(**TONNES)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["alliance", "company"], name="one_latest_per_member"),
        ]

    def __str__(self):
        return f"{self.company} {self.year}"


class ApprovedYearTotal(models.Model):
    """The approved figures of every company in the alliance's round of a year, summed
    (members who left since included: the readers subtract them)."""

    alliance = models.ForeignKey(Alliance, on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField()
    companies = models.PositiveIntegerField(default=0)
    scope1_t = models.DecimalField(**TONNES, default=0)
    scope2_location_t = models.DecimalField(**TONNES, default=0)
    scope2_market_t = models.DecimalField(**TONNES, default=0)
    scope3_t = models.DecimalField(**TONNES, default=0)
    total_location_t = models.DecimalField(**TONNES, default=0)
    total_market_t = models.DecimalField(**TONNES, default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["alliance", "year"], name="one_total_per_year"),
        ]

    def __str__(self):
        return f"{self.alliance_id} {self.year}"


class PledgeStanding(models.Model):
    """A pledge's latest answer in an approved report and, for a quantitative pledge,
    whether it is on track (`emissions.selectors.with_on_track`)."""

    pledge = models.OneToOneField(
        Pledge, on_delete=models.CASCADE, primary_key=True, related_name="standing"
    )
    year = models.PositiveSmallIntegerField()
    value = models.DecimalField(max_digits=14, decimal_places=2, null=True)
    milestone = models.CharField(max_length=12, blank=True)
    on_track = models.BooleanField(null=True)

    def __str__(self):
        return f"{self.pledge_id} {self.year}"


class AllianceFiguresQuerySet(models.QuerySet):
    def outdate(self, alliance_ids):
        """Mark the figures of `alliance_ids` (ids or a subquery) outdated: the next
        dashboard view recomputes them. Called in the transaction of the change."""
        return self.filter(alliance_id__in=alliance_ids).update(version=models.F("version") + 1)

    def outdate_members_of(self, company_id):
        """A company's figures changed: outdate every alliance it has a membership of."""
        from companies.models import Membership

        alliances = Membership.objects.filter(company_id=company_id).values("alliance_id")
        return self.outdate(alliances)


class AllianceFigures(models.Model):
    """The staff dashboard's alliance-wide figures (headline, pledge tallies, sums per
    year), as `emissions.figures` computed them at `computed_version`.

    A cache with a version, not a sum kept by adding: every change of an input bumps
    `version` in its own transaction (`emissions.figures` says which), and the figures
    count only while `computed_version` equals it."""

    alliance = models.OneToOneField(
        Alliance, on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    version = models.PositiveBigIntegerField(default=0)
    computed_version = models.PositiveBigIntegerField(null=True)
    figures = models.JSONField(default=dict)

    objects = AllianceFiguresQuerySet.as_manager()

    def __str__(self):
        return f"{self.alliance_id} v{self.version}"

    @property
    def is_current(self):
        return self.computed_version == self.version
