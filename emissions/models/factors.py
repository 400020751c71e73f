"""The emission factor library: kg CO2e per unit of activity, versioned by year.

Factors are data, not code: seeded from ../shared/emission-factors.md (each with its
source), editable by the platform administrator. An inventory line keeps the factor it used
(and a copy of its value), so a new year's factor never changes an old report.
"""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext_lazy as _

from ..units import Unit

# The sources and notes the library was seeded with (migration 0002), in English and
# marked, so each page shows them in its language; a text the administrator types later
# shows as typed.
SEEDED_TEXTS = (
    gettext_noop("Evida (factor set by Energinet)"),
    gettext_noop("Evida (Energinet)"),
    gettext_noop("Energinet environmental declaration (125 % method)"),
    gettext_noop("Green Power Denmark"),
    gettext_noop("preliminary"),
    gettext_noop("BR18 annex 2, table 8"),
    gettext_noop("a projection, not a measured year"),
    gettext_noop("projection"),
    gettext_noop("energy-label handbook HB2016"),
    gettext_noop("historic; real values vary by supplier"),
    gettext_noop("Fjernvarme Fyn"),
    gettext_noop("example of a supplier's own factor"),
    gettext_noop("HB2016"),
    gettext_noop("derived from Denmark's inventory factor 72.967 kg/GJ"),
    gettext_noop("Norway's agency uses 2.66"),
    gettext_noop("derived from Denmark's inventory factor 69.3 kg/GJ"),
    gettext_noop("Norway's agency uses 2.32"),
)


def factor_text(text: str) -> str:
    """A factor's source or note in the active language (seeded texts are translated)."""
    return gettext(text) if text in SEEDED_TEXTS else text


class Activity(models.TextChoices):
    ELECTRICITY = "electricity", _("Electricity, location-based (Danish average)")
    ELECTRICITY_BR18 = "electricity_br18", _("Electricity, projection in the building rules")
    DISTRICT_HEATING = "district_heating", _("District heating")
    DISTRICT_HEATING_BR18 = (
        "district_heating_br18",
        _("District heating, projection in the building rules"),
    )
    NATURAL_GAS = "natural_gas", _("Natural gas")
    HEATING_OIL = "heating_oil", _("Heating oil")
    DIESEL = "diesel", _("Diesel")
    PETROL = "petrol", _("Petrol")
    LPG = "lpg", _("LPG")
    FLIGHTS = "flights", _("Flights")
    WASTE = "waste", _("Waste")


class EmissionFactor(models.Model):
    activity = models.CharField(_("activity"), max_length=30, choices=Activity.choices)
    supplier = models.CharField(
        _("supplier"),
        max_length=120,
        blank=True,
        help_text=_(
            "For a supplier's own factor (e.g. a district heating company); empty for "
            "the national figure."
        ),
    )
    unit = models.CharField(_("unit"), max_length=5, choices=Unit.choices)
    year = models.PositiveSmallIntegerField(
        _("year"), validators=[MinValueValidator(1990), MaxValueValidator(2100)]
    )
    kg_co2e_per_unit = models.DecimalField(
        _("kg CO2e per unit"),
        max_digits=12,
        decimal_places=6,
        validators=[MinValueValidator(0)],
    )
    source = models.CharField(_("source"), max_length=300)
    note = models.CharField(_("note"), max_length=300, blank=True)
    is_uncertain = models.BooleanField(_("uncertain"), default=False)
    is_projection = models.BooleanField(
        _("projection"), default=False, help_text=_("A projected value, not a measured year.")
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("emission factor")
        verbose_name_plural = _("emission factors")
        ordering = ["activity", "supplier", "year"]
        constraints = [
            models.UniqueConstraint(
                fields=["activity", "supplier", "unit", "year"], name="one_factor_per_year"
            ),
        ]

    def __str__(self):
        supplier = f" ({self.supplier})" if self.supplier else ""
        value = f"{self.kg_co2e_per_unit} kg/{self.unit}"
        return f"{self.get_activity_display()}{supplier} {self.year}: {value}"

    @property
    def source_shown(self) -> str:
        return factor_text(self.source)

    @property
    def note_shown(self) -> str:
        return factor_text(self.note)

    @classmethod
    def for_year(cls, activity, unit, year, supplier=""):
        """The factor published for exactly that year, or None: the portal never guesses
        a missing year; the administrator adds it."""
        return cls.objects.filter(
            activity=activity, unit=unit, year=year, supplier=supplier
        ).first()
