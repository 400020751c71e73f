"""Units of activity data and how they convert.

A line's quantity may be given in any unit of the same dimension as its factor's unit (MWh for
a factor per kWh, m³ for one per litre); anything else is refused rather than guessed.
"""

from decimal import Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _


class Unit(models.TextChoices):
    KWH = "kWh", "kWh"
    MWH = "MWh", "MWh"
    GJ = "GJ", "GJ"
    M3 = "m3", "m³"
    LITRE = "l", _("litre")
    KG = "kg", "kg"
    TONNE = "t", _("tonne")
    KM = "km", "km"
    PASSENGER_KM = "pkm", _("passenger-km")


# Each unit: its dimension and its size in the dimension's base unit.
_UNITS = {
    Unit.KWH: ("energy", Decimal(1)),
    Unit.MWH: ("energy", Decimal(1000)),
    Unit.GJ: ("energy", Decimal(1_000_000) / Decimal(3600)),  # 1 GJ = 277.78 kWh
    Unit.LITRE: ("volume", Decimal(1)),
    Unit.M3: ("volume", Decimal(1000)),
    Unit.KG: ("mass", Decimal(1)),
    Unit.TONNE: ("mass", Decimal(1000)),
    Unit.KM: ("distance", Decimal(1)),
    Unit.PASSENGER_KM: ("passenger_distance", Decimal(1)),
}


def compatible(unit, other):
    return unit in _UNITS and other in _UNITS and _UNITS[unit][0] == _UNITS[other][0]


def compatible_units(unit):
    """The units a quantity may be given in for a factor per `unit`."""
    return [u for u in Unit if compatible(u, unit)]


def convert(quantity, from_unit, to_unit):
    """`quantity` in `from_unit` expressed in `to_unit`; ValueError across dimensions."""
    if not compatible(from_unit, to_unit):
        raise ValueError(f"{from_unit} cannot be converted to {to_unit}")
    return quantity * _UNITS[from_unit][1] / _UNITS[to_unit][1]
