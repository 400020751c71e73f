"""The seeded factor library: values with their sources, and no guessing of missing years."""

from decimal import Decimal

import pytest

from emissions.models import EmissionFactor

pytestmark = pytest.mark.django_db


def test_seed_factors_keep_their_values_and_sources():
    gas = EmissionFactor.for_year("natural_gas", "m3", 2022)
    assert gas.kg_co2e_per_unit == Decimal("2.2326")
    assert "Evida" in gas.source
    fyn = EmissionFactor.for_year("district_heating", "MWh", 2023, supplier="Fjernvarme Fyn")
    assert fyn.kg_co2e_per_unit == Decimal("56.95")
    assert EmissionFactor.objects.filter(is_uncertain=True).count() == 2  # diesel, petrol
    assert EmissionFactor.for_year("electricity_br18", "kWh", 2030).is_projection


def test_a_missing_year_is_never_guessed():
    assert EmissionFactor.for_year("natural_gas", "m3", 2024) is None
    assert EmissionFactor.for_year("electricity", "kWh", 2020) is None


def test_the_administrator_edits_factors_in_the_admin(client, platform_admin):
    client.force_login(platform_admin)
    factor = EmissionFactor.for_year("diesel", "l", 2023)
    page = client.get(f"/admin/emissions/emissionfactor/{factor.pk}/change/")
    assert page.status_code == 200
    listing = client.get("/admin/emissions/emissionfactor/?is_uncertain__exact=1").content.decode()
    assert "Diesel" in listing and "Benzin" in listing
