"""A company's climate account (inventory) for one year, line by line.

Each line is either activity × factor (the factor and its value are kept on the line) or
tonnes CO2e entered directly with a method note. Electricity is counted location-based (the
grid's factor) and, where the company has a supplier declaration or guarantees of origin,
market-based too; the inventory keeps both totals. Totals are stored on the inventory and
recomputed by `Inventory.recalculate()` whenever a line changes, so dashboards sum a few
numbers per company in the database instead of walking lines in Python.
"""

import secrets
from decimal import Decimal

from django.apps import apps
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from companies.models import Company
from klimaalliance.storage import private_storage

from .. import units
from ..units import Unit
from .factors import EmissionFactor, factor_text
from .summaries import AllianceFigures

TONNE = Decimal(1000)
ZERO = Decimal(0)


class ImmutableError(ValidationError):
    """Raised when code tries to change figures that staff have approved."""


def validate_inventory_year(year):
    if year is not None and not 1990 <= year <= timezone.localdate().year:
        raise ValidationError(
            _("The year must be between 1990 and this year (%(year)s)."),
            params={"year": timezone.localdate().year},
        )


class Category(models.TextChoices):
    """GHG Protocol categories, each belonging to one scope (see `SCOPE_OF`)."""

    STATIONARY = "s1_stationary", _("Stationary combustion (heating, processes)")
    MOBILE = "s1_mobile", _("Own vehicles and machines")
    PROCESS = "s1_process", _("Process emissions")
    FUGITIVE = "s1_fugitive", _("Refrigerants and other leaks")
    LIVESTOCK = "s1_livestock", _("Livestock (digestion and manure)")
    FIELDS = "s1_fields", _("Fields and soils (fertiliser, drained soils)")
    ELECTRICITY = "s2_electricity", _("Purchased electricity")
    HEAT = "s2_heat", _("Purchased heat (district heating)")
    COOLING = "s2_cooling", _("Purchased cooling and steam")
    PURCHASED_GOODS = "s3_01", _("3.1 Purchased goods and services")
    CAPITAL_GOODS = "s3_02", _("3.2 Capital goods")
    FUEL_ENERGY = "s3_03", _("3.3 Fuel- and energy-related activities")
    UPSTREAM_TRANSPORT = "s3_04", _("3.4 Upstream transport and distribution")
    WASTE = "s3_05", _("3.5 Waste generated in operations")
    BUSINESS_TRAVEL = "s3_06", _("3.6 Business travel")
    COMMUTING = "s3_07", _("3.7 Employee commuting")
    UPSTREAM_LEASED = "s3_08", _("3.8 Upstream leased assets")
    DOWNSTREAM_TRANSPORT = "s3_09", _("3.9 Downstream transport and distribution")
    PROCESSING = "s3_10", _("3.10 Processing of sold products")
    USE_OF_PRODUCTS = "s3_11", _("3.11 Use of sold products")
    END_OF_LIFE = "s3_12", _("3.12 End-of-life treatment of sold products")
    DOWNSTREAM_LEASED = "s3_13", _("3.13 Downstream leased assets")
    FRANCHISES = "s3_14", _("3.14 Franchises")
    INVESTMENTS = "s3_15", _("3.15 Investments")

    @property
    def scope(self):
        return int(self.value[1])


def scope_of(category):
    return int(category[1])


def attachment_path(instance, filename):
    return f"inventories/{instance.company_id}/{secrets.token_hex(16)}.pdf"


class Inventory(models.Model):
    company = models.ForeignKey(Company, on_delete=models.PROTECT, related_name="inventories")
    year = models.PositiveSmallIntegerField(_("year"), validators=[validate_inventory_year])
    is_baseline = models.BooleanField(
        _("baseline year"),
        default=False,
        help_text=_("The year the company's reductions are measured from. Only one per company."),
    )
    scope1_t = models.DecimalField(max_digits=14, decimal_places=3, default=ZERO)
    scope2_location_t = models.DecimalField(max_digits=14, decimal_places=3, default=ZERO)
    scope2_market_t = models.DecimalField(max_digits=14, decimal_places=3, default=ZERO)
    scope3_t = models.DecimalField(max_digits=14, decimal_places=3, default=ZERO)
    total_location_t = models.DecimalField(max_digits=14, decimal_places=3, default=ZERO)
    total_market_t = models.DecimalField(max_digits=14, decimal_places=3, default=ZERO)
    # Optimistic locking: every change to the inventory or its lines bumps it; a form that
    # was opened at an older version is refused instead of overwriting someone's work.
    version = models.PositiveIntegerField(default=1)
    attachment = models.FileField(
        _("existing climate report (PDF)"),
        upload_to=attachment_path,
        blank=True,
        storage=private_storage,
    )
    attachment_name = models.CharField(max_length=200, blank=True)
    verified_at = models.DateTimeField(_("verified"), null=True, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("verified by"),
    )
    verification_method = models.CharField(_("how it was verified"), max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("climate account")
        verbose_name_plural = _("climate accounts")
        ordering = ["company", "year"]
        constraints = [
            models.UniqueConstraint(
                fields=["company", "year"],
                name="one_inventory_per_company_year",
                violation_error_message=_("The company already has a climate account that year."),
            ),
            models.UniqueConstraint(
                fields=["company"],
                condition=Q(is_baseline=True),
                name="one_baseline_per_company",
                violation_error_message=_("The company already has a baseline year."),
            ),
        ]

    def __str__(self):
        return f"{self.company} {self.year}"

    @property
    def is_locked(self):
        """Figures of a year whose report staff approved never change again."""
        # By name: reporting.py builds on this module, not the other way round.
        Report = apps.get_model("emissions", "Report")
        return Report.objects.filter(
            company_id=self.company_id, round__year=self.year, status=Report.Status.APPROVED
        ).exists()

    def check_editable(self):
        if self.pk and self.is_locked:
            raise ImmutableError(_("The figures for this year are approved and cannot change."))

    def recalculate(self):
        """Store the totals per scope from the lines, in tonnes; bumps `version`."""
        sums = {
            row["scope"]: row
            for row in self.lines.values("scope").annotate(
                location=Sum("tonnes_location"), market=Sum("tonnes_market")
            )
        }

        def total(scope, key):
            return (sums.get(scope) or {}).get(key) or ZERO

        self.scope1_t = total(1, "location")
        self.scope2_location_t = total(2, "location")
        self.scope2_market_t = total(2, "market")
        self.scope3_t = total(3, "location")
        self.total_location_t = self.scope1_t + self.scope2_location_t + self.scope3_t
        self.total_market_t = self.scope1_t + self.scope2_market_t + self.scope3_t
        self.version += 1
        type(self).objects.filter(pk=self.pk).update(
            scope1_t=self.scope1_t,
            scope2_location_t=self.scope2_location_t,
            scope2_market_t=self.scope2_market_t,
            scope3_t=self.scope3_t,
            total_location_t=self.total_location_t,
            total_market_t=self.total_market_t,
            version=models.F("version") + 1,
            updated_at=timezone.now(),
        )
        if self.is_baseline:  # the dashboard sums the baselines (other years once approved)
            AllianceFigures.objects.outdate_members_of(self.company_id)

    def scope_total(self, scopes, market=False):
        """Tonnes for a set of scopes (a pledge's `scopes`; all three when empty)."""
        scope2 = self.scope2_market_t if market else self.scope2_location_t
        parts = {1: self.scope1_t, 2: scope2, 3: self.scope3_t}
        return sum((parts[s] for s in (scopes or [1, 2, 3])), ZERO)


class InventoryLine(models.Model):
    class Method(models.TextChoices):
        ACTIVITY = "activity", _("Activity × emission factor")
        DIRECT = "direct", _("Tonnes CO2e entered directly")

    inventory = models.ForeignKey(Inventory, on_delete=models.CASCADE, related_name="lines")
    order = models.PositiveSmallIntegerField(default=0)
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    scope = models.PositiveSmallIntegerField(editable=False, db_index=True)
    description = models.CharField(_("description"), max_length=200)
    method = models.CharField(
        _("method"), max_length=10, choices=Method.choices, default=Method.ACTIVITY
    )
    quantity = models.DecimalField(
        _("quantity"),
        max_digits=16,
        decimal_places=3,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(Decimal("1e12"))],
    )
    unit = models.CharField(_("unit"), max_length=5, choices=Unit.choices, blank=True)
    factor = models.ForeignKey(
        EmissionFactor,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("emission factor"),
    )
    # A copy of the factor as it was used, so later edits to the library change nothing here.
    factor_value = models.DecimalField(max_digits=12, decimal_places=6, null=True, blank=True)
    factor_unit = models.CharField(max_length=5, choices=Unit.choices, blank=True)
    factor_year = models.PositiveSmallIntegerField(null=True, blank=True)
    factor_source = models.CharField(max_length=300, blank=True)
    market_factor = models.DecimalField(
        _("market-based factor (kg CO2e per unit of the factor)"),
        max_digits=12,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
        help_text=_(
            "Electricity only: the supplier's declared factor, or 0 with guarantees of origin. "
            "Empty: the market-based figure equals the location-based one."
        ),
    )
    guarantees_of_origin = models.BooleanField(_("covered by guarantees of origin"), default=False)
    tonnes_direct = models.DecimalField(
        _("tonnes CO2e"),
        max_digits=14,
        decimal_places=3,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(Decimal("1e9"))],
    )
    method_note = models.CharField(
        _("method note"),
        max_length=500,
        blank=True,
        help_text=_("How the tonnes were calculated, e.g. “livestock: national standard figures”."),
    )
    tonnes_location = models.DecimalField(max_digits=14, decimal_places=3, default=ZERO)
    tonnes_market = models.DecimalField(max_digits=14, decimal_places=3, default=ZERO)

    class Meta:
        verbose_name = _("climate account line")
        verbose_name_plural = _("climate account lines")
        ordering = ["inventory", "scope", "order", "pk"]

    def __str__(self):
        return self.description

    def save(self, *args, **kwargs):
        self.inventory.check_editable()
        self.scope = scope_of(self.category)
        self._compute()
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        self.inventory.check_editable()
        return super().delete(*args, **kwargs)

    def clean(self):
        errors = {}
        if self.method == self.Method.DIRECT:
            if self.tonnes_direct is None:
                errors["tonnes_direct"] = _("Enter the tonnes CO2e.")
            if not self.method_note.strip():
                errors["method_note"] = _("Say how the tonnes were calculated.")
        else:
            if self.quantity is None:
                errors["quantity"] = _("Enter the quantity.")
            if self.factor is None:
                errors["factor"] = _("Choose an emission factor.")
            elif self.unit and not units.compatible(self.unit, self.factor.unit):
                errors["unit"] = _(
                    "%(unit)s does not fit %(activity)s, which is counted in %(factor_unit)s."
                ) % {
                    "unit": self.unit,
                    "activity": self.factor.get_activity_display(),
                    "factor_unit": self.factor.unit,
                }
        if self.guarantees_of_origin and self.category != Category.ELECTRICITY:
            errors["guarantees_of_origin"] = _("Guarantees of origin apply to electricity only.")
        if self.market_factor is not None and self.category != Category.ELECTRICITY:
            errors["market_factor"] = _("A market-based factor applies to electricity only.")
        if errors:
            raise ValidationError(errors)

    @property
    def factor_source_shown(self) -> str:
        """The copied factor source in the reader's language."""
        return factor_text(self.factor_source)

    def _compute(self):
        if self.method == self.Method.DIRECT:
            self.factor = None
            self.quantity = None
            self.tonnes_location = self.tonnes_market = self.tonnes_direct or ZERO
            return
        factor = self.factor
        if self.factor_value is None or self._factor_changed():
            self.factor_value = factor.kg_co2e_per_unit
            self.factor_unit = factor.unit
            self.factor_year = factor.year
            self.factor_source = factor.source
        unit = self.unit or self.factor_unit
        self.unit = unit
        amount = units.convert(self.quantity, unit, self.factor_unit)
        self.tonnes_location = (amount * self.factor_value / TONNE).quantize(Decimal("0.001"))
        market = self.market_factor
        if self.guarantees_of_origin and market is None:
            market = ZERO
        if market is None:
            self.tonnes_market = self.tonnes_location
        else:
            self.tonnes_market = (amount * market / TONNE).quantize(Decimal("0.001"))

    def _factor_changed(self):
        if not self.pk:
            return True
        old = type(self).objects.filter(pk=self.pk).values_list("factor_id", flat=True).first()
        return old != self.factor_id
