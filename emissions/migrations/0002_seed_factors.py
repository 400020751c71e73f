"""Seed the factor library from ../shared/emission-factors.md, each value with its source."""

from decimal import Decimal

from django.db import migrations

FACTORS = [
    # activity, supplier, unit, year, kg CO2e per unit, source, note, uncertain, projection
    ("natural_gas", "", "m3", 2020, "2.1986", "Evida (factor set by Energinet)", "", False, False),
    ("natural_gas", "", "m3", 2021, "2.1966", "Evida (Energinet)", "", False, False),
    ("natural_gas", "", "m3", 2022, "2.2326", "Evida (Energinet)", "", False, False),
    ("natural_gas", "", "m3", 2023, "2.2627", "Evida (Energinet)", "", False, False),
    ("electricity", "", "kWh", 2015, "0.195",
     "Energinet environmental declaration (125 % method)", "", False, False),
    ("electricity", "", "kWh", 2023, "0.096", "Green Power Denmark", "preliminary", False, False),
    ("electricity_br18", "", "kWh", 2023, "0.187", "BR18 annex 2, table 8",
     "a projection, not a measured year", False, True),
    ("electricity_br18", "", "kWh", 2030, "0.047", "BR18 annex 2, table 8", "projection",
     False, True),
    ("district_heating", "", "kWh", 2016, "0.065", "energy-label handbook HB2016",
     "historic; real values vary by supplier", False, False),
    ("district_heating_br18", "", "kWh", 2023, "0.105", "BR18 annex 2, table 8", "projection",
     False, True),
    ("district_heating", "Fjernvarme Fyn", "MWh", 2023, "56.95", "Fjernvarme Fyn",
     "example of a supplier's own factor", False, False),
    ("heating_oil", "", "l", 2016, "2.691", "HB2016", "", False, False),
    ("diesel", "", "l", 2023, "2.57",
     "derived from Denmark's inventory factor 72.967 kg/GJ", "Norway's agency uses 2.66",
     True, False),
    ("petrol", "", "l", 2023, "2.25", "derived from Denmark's inventory factor 69.3 kg/GJ",
     "Norway's agency uses 2.32", True, False),
]


def seed(apps, schema_editor):
    EmissionFactor = apps.get_model("emissions", "EmissionFactor")
    for activity, supplier, unit, year, value, source, note, uncertain, projection in FACTORS:
        EmissionFactor.objects.update_or_create(
            activity=activity, supplier=supplier, unit=unit, year=year,
            defaults={"kg_co2e_per_unit": Decimal(value), "source": source, "note": note,
                      "is_uncertain": uncertain, "is_projection": projection},
        )


class Migration(migrations.Migration):
    dependencies = [("emissions", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
