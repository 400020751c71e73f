"""Forms of the climate accounts (inventories): a new year, a line, an import, an attached
report and staff's verification. Forms validate input only; the writes are in
`emissions.services`.

Numbers are typed the way the active language writes them ("1.234,5" in Danish and
"1,234.5" in English): the one parser is the core's `klimaalliance.numbers`.
"""

from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from klimaalliance.numbers import LocalizedDecimalField, format_number
from network.group_services import validate_pdf

from . import units
from .models import Activity, Category, EmissionFactor, Inventory, InventoryLine
from .models.inventories import validate_inventory_year

MAX_QUANTITY = Decimal("1e12")
MAX_TONNES = Decimal("1e9")
MAX_FACTOR = Decimal("1e6")


# --- Checks shared by the line form and the spreadsheet import ---------------------------
# (emissions.spreadsheets imports these, and holds the import's upload form, so the import
# runs one way: spreadsheets -> forms.)


def check_quantity(value):
    if value is None:
        return None
    if value < 0:
        raise ValidationError(_("The quantity cannot be negative."), code="negative")
    if value > MAX_QUANTITY:
        raise ValidationError(
            _(
                "The quantity is implausibly large (more than 10¹², a million million). "
                "Check the number and the unit."
            ),
            code="absurd",
        )
    return value.quantize(Decimal("0.001"))


def check_tonnes(value):
    if value is None:
        return None
    if value < 0:
        raise ValidationError(_("Tonnes CO2e cannot be negative."), code="negative")
    if value > MAX_TONNES:
        raise ValidationError(
            _(
                "More than a billion tonnes CO2e on one line is not plausible. "
                "Check the number (it is in tonnes, not kg)."
            ),
            code="absurd",
        )
    return value.quantize(Decimal("0.001"))


def check_market_factor(value):
    if value is None:
        return None
    if value < 0:
        raise ValidationError(_("The market-based factor cannot be negative."), code="negative")
    if value > MAX_FACTOR:
        raise ValidationError(
            _("The market-based factor is implausibly large. It is in kg CO2e per unit."),
            code="absurd",
        )
    return value.quantize(Decimal("0.000001"))


def plain_number(value: Decimal | None, *, grouping: bool = False) -> str:
    """2.570000 → "2,57", 56.950000 → "56,95", 1000.000 → "1000" in Danish; with
    `grouping`, 1234.5 → "1.234,5". No trailing zeros, no exponent."""
    return format_number(value, decimals=None, grouping=grouping, empty="")


def factor_label(factor: EmissionFactor) -> str:
    """E.g. "District heating – Fjernvarme Fyn · 2023 · 56,95 kg CO2e/MWh (projection)"."""
    name = factor.get_activity_display()
    if factor.supplier:
        name = f"{name} – {factor.supplier}"
    label = _("%(name)s · %(year)s · %(value)s kg CO2e/%(unit)s") % {
        "name": name,
        "year": factor.year,
        "value": plain_number(factor.kg_co2e_per_unit),
        "unit": factor.get_unit_display(),
    }
    if factor.is_projection:
        label = _("%(label)s (projection)") % {"label": label}
    elif factor.is_uncertain:
        label = _("%(label)s (uncertain)") % {"label": label}
    return label


class FactorChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return factor_label(obj)


class FactorSelect(forms.Select):
    """Each option says which units a quantity may be given in for that factor, so the
    page's script can offer only those (the server checks again)."""

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        instance = getattr(value, "instance", None)
        if instance is not None:
            option["attrs"]["data-units"] = " ".join(units.compatible_units(instance.unit))
            option["attrs"]["data-unit"] = instance.unit
        return option


# --- Forms -------------------------------------------------------------------------------


class VersionField(forms.IntegerField):
    """The inventory's version when the form was shown (optimistic locking)."""

    def __init__(self, **kwargs):
        super().__init__(widget=forms.HiddenInput, min_value=0, **kwargs)


class InventoryCreateForm(forms.Form):
    year = forms.IntegerField(
        label=_("Year"),
        help_text=_("The calendar year the figures cover, from 1990 to this year."),
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    is_baseline = forms.BooleanField(
        label=_("This is the baseline year"),
        required=False,
        help_text=_(
            "The year the company's reductions are measured from. A company has one baseline."
        ),
    )

    def __init__(self, *args, company, **kwargs):
        self.company = company
        super().__init__(*args, **kwargs)

    def clean_year(self):
        year = self.cleaned_data["year"]
        validate_inventory_year(year)
        if Inventory.objects.filter(company=self.company, year=year).exists():
            raise ValidationError(
                _("The company already has a climate account for %(year)s. Open it to edit it."),
                params={"year": year},
                code="duplicate",
            )
        return year

    def clean_is_baseline(self):
        wanted = self.cleaned_data["is_baseline"]
        if wanted:
            existing = (
                Inventory.objects.filter(company=self.company, is_baseline=True)
                .values_list("year", flat=True)
                .first()
            )
            if existing is not None:
                raise ValidationError(
                    _(
                        "The company already has a baseline year (%(year)s). Unmark it "
                        "before choosing another."
                    ),
                    params={"year": existing},
                    code="second_baseline",
                )
        return wanted


class InventoryLineForm(forms.ModelForm):
    """One line: activity × factor, or tonnes entered directly with a method note."""

    factor = FactorChoiceField(
        label=_("Emission factor"),
        queryset=EmissionFactor.objects.none(),
        required=False,
        widget=FactorSelect,
        empty_label=_("Choose a factor from the library"),
        help_text=_(
            "The library's factors for every activity and year. Choose the one for this year "
            "if the library has it; the portal never invents a factor."
        ),
    )
    quantity = LocalizedDecimalField(
        label=_("Quantity"), help_text=_("A thousands separator is fine, e.g. 1,234.5.")
    )
    market_factor = LocalizedDecimalField(
        label=_("Market-based factor (kg CO2e per unit of the factor)"),
        help_text=_(
            "The supplier's declared factor. Leave it empty to count the grid's factor "
            "market-based too."
        ),
    )
    tonnes_direct = LocalizedDecimalField(label=_("Tonnes CO2e"))
    version = VersionField()

    class Meta:
        model = InventoryLine
        fields = [
            "category",
            "description",
            "method",
            "factor",
            "quantity",
            "unit",
            "market_factor",
            "guarantees_of_origin",
            "tonnes_direct",
            "method_note",
        ]
        widgets = {"method": forms.RadioSelect, "method_note": forms.Textarea(attrs={"rows": 2})}
        help_texts = {
            "guarantees_of_origin": _(
                "The electricity is covered by guarantees of origin: market-based it counts 0."
            ),
        }

    def __init__(self, *args, inventory, **kwargs):
        self.inventory = inventory
        super().__init__(*args, **kwargs)
        self.fields["factor"].queryset = EmissionFactor.objects.order_by(
            "activity", "supplier", "-year", "unit"
        )
        unit = self.fields["unit"]
        unit.choices = [("", _("The factor's unit")), *units.Unit.choices]
        unit.help_text = _("Only units that fit the factor's unit (MWh for a factor per kWh).")
        self.fields["method"].choices = InventoryLine.Method.choices

    def clean_quantity(self):
        return check_quantity(self.cleaned_data.get("quantity"))

    def clean_tonnes_direct(self):
        return check_tonnes(self.cleaned_data.get("tonnes_direct"))

    def clean_market_factor(self):
        return check_market_factor(self.cleaned_data.get("market_factor"))

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("method") == InventoryLine.Method.DIRECT:
            # The activity fields do not apply; whatever was typed there is dropped.
            cleaned.update(
                factor=None, quantity=None, unit="", market_factor=None, guarantees_of_origin=False
            )
            for name in ("factor", "quantity", "unit", "market_factor"):
                self.errors.pop(name, None)
        else:
            cleaned["tonnes_direct"] = None
            self.errors.pop("tonnes_direct", None)
        return cleaned


def preselected_factor(activity: str, year: int):
    """The library's national factor for `activity` in exactly `year`, or None."""
    return (
        EmissionFactor.objects.filter(activity=activity, supplier="", year=year)
        .order_by("unit")
        .first()
    )


# The category a new line gets when it is started from an activity.
CATEGORY_OF_ACTIVITY = {
    Activity.ELECTRICITY: Category.ELECTRICITY,
    Activity.DISTRICT_HEATING: Category.HEAT,
    Activity.NATURAL_GAS: Category.STATIONARY,
    Activity.HEATING_OIL: Category.STATIONARY,
    Activity.LPG: Category.STATIONARY,
    Activity.DIESEL: Category.MOBILE,
    Activity.PETROL: Category.MOBILE,
    Activity.FLIGHTS: Category.BUSINESS_TRAVEL,
    Activity.WASTE: Category.WASTE,
}


class AttachmentForm(forms.Form):
    file = forms.FileField(
        label=_("Climate report (PDF, at most 10 MB)"),
        widget=forms.FileInput(attrs={"accept": ".pdf,application/pdf"}),
    )

    def clean_file(self):
        uploaded = self.cleaned_data["file"]
        validate_pdf(uploaded)
        return uploaded


class VerifyForm(forms.Form):
    method = forms.CharField(
        label=_("How the figures were verified"),
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("E.g. “checked against the energy bills and the farm's standard figures”."),
        error_messages={"required": _("Say how the figures were verified.")},
    )

    def clean_method(self):
        method = self.cleaned_data["method"].strip()
        if not method:
            raise ValidationError(_("Say how the figures were verified."), code="required")
        return method
