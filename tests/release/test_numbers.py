"""One parser for every number typed, one formatter for every number shown (issue 14).

Danish: "1.234,5", "1234,5" and "1 234,5"; English "1,234.5". The same value reads the same
in the pledge table, the partner page and the agreement document.
"""

from decimal import Decimal

import pytest
from django.utils import formats, translation

from klimaalliance.numbers import (
    LocalizedDecimalField,
    format_number,
    number_formatter,
    parse_localized,
)
from klimaalliance.templatetags.portal import num, tonnes
from partnerships import services
from partnerships.documents import build_document
from partnerships.forms import PledgeForm
from partnerships.models import CatalogueItem
from partnerships.seed import ensure_starting_content
from partnerships.staff_forms import CatalogueChoiceForm

DA_INPUTS = ["1.234,5", "1234,5", "1 234,5", "1\u00a0234,5", " 1.234,50 "]
EN_INPUTS = ["1,234.5", "1234.5", "1 234.5"]


@pytest.mark.parametrize("typed", DA_INPUTS)
def test_danish_numbers_parse(typed):
    with translation.override("da"):
        assert LocalizedDecimalField().clean(typed) == Decimal("1234.5")


@pytest.mark.parametrize("typed", EN_INPUTS)
def test_english_numbers_parse(typed):
    with translation.override("en"):
        assert LocalizedDecimalField().clean(typed) == Decimal("1234.5")


def test_a_point_alone_is_read_as_the_number_meant():
    with translation.override("da"):
        assert parse_localized("12.5") == "12.5"
        assert parse_localized("1.234") == "1234"
        assert parse_localized("−12,5") == "-12.5"


@pytest.mark.parametrize(
    ("language", "value", "decimals", "shown"),
    [
        ("da", Decimal("1234.50"), 2, "1.234,5"),
        ("en", Decimal("1234.50"), 2, "1,234.5"),
        ("da", Decimal("1234.567"), 1, "1.234,6"),
        ("da", Decimal("2000.000"), 2, "2.000"),
        ("en", Decimal("-0.001"), 1, "0"),
        ("da", None, 2, "–"),
    ],
)
def test_one_formatter(language, value, decimals, shown):
    with translation.override(language):
        assert format_number(value, decimals) == shown
        assert num(value, decimals) == shown


# Values the formatter prints as they are (no decimals to round, no trailing zeros).
PREPARED = ["0", "-7", "999", "1000", "-1000", "-1234567.891", "-0.001", "12345678901234.5", "1E-7"]


@pytest.mark.parametrize("language", ["da", "en"])
def test_a_tables_formatter_prints_what_django_prints(language):
    """`number_formatter` (the separators looked up once, the digits grouped by Python)
    prints exactly what Django's own number format does."""
    with translation.override(language):
        fast = number_formatter(None)
        for text in PREPARED:
            value = Decimal(text)
            assert fast(value) == formats.number_format(value, use_l10n=True, force_grouping=True)


def test_tonnes_carry_their_unit():
    with translation.override("da"):
        assert tonnes(Decimal("1234.5")) == "1.234,5\u00a0t"
        assert tonnes(None) == "–"


def test_a_localized_field_shows_its_value_the_way_it_is_read_back():
    with translation.override("da"):
        field = LocalizedDecimalField()
        shown = field.widget.format_value(Decimal("1234.50"))
        assert shown == "1234,50"
        assert field.clean(shown) == Decimal("1234.5")


# --- The pledge forms --------------------------------------------------------------------

PLEDGE = {
    "title": "Halve scope 1",
    "focus_area": "energy",
    "scopes": ["1"],
    "metric": "t CO2e",
    "baseline_year": "2022",
    "target_year": "2030",
    "is_public": "on",
}


@pytest.mark.parametrize(
    ("language", "baseline", "target"),
    [("da", "1.234,5", "617,25"), ("da", "1 234,5", "617,25"), ("en", "1,234.5", "617.25")],
)
def test_the_pledge_form_takes_the_language_s_numbers(language, baseline, target):
    with translation.override(language):
        form = PledgeForm({**PLEDGE, "baseline_value": baseline, "target_value": target})
        assert form.is_valid(), form.errors
    assert form.cleaned_data["baseline_value"] == Decimal("1234.5")
    assert form.cleaned_data["target_value"] == Decimal("617.25")


@pytest.mark.parametrize("language", ["da", "en"])
def test_a_negative_baseline_gets_one_error(language):
    with translation.override(language):
        form = PledgeForm({**PLEDGE, "baseline_value": "-5", "target_value": "3"})
        assert not form.is_valid()
        assert len(form.errors["baseline_value"]) == 1
        assert "0" in form.errors["baseline_value"][0]


@pytest.mark.django_db
@pytest.mark.parametrize(("language", "typed"), [("da", "1.234,5"), ("en", "1,234.5")])
def test_the_catalogue_form_takes_the_language_s_numbers(alliance, language, typed):
    ensure_starting_content(alliance)
    item = CatalogueItem.objects.filter(alliance=alliance, is_milestone=False).first()
    with translation.override(language):
        form = CatalogueChoiceForm(
            {"item": item.pk, "baseline_year": "2022", "baseline_value": typed},
            alliance=alliance,
        )
        assert form.is_valid(), form.errors
    assert form.cleaned_data["baseline_value"] == Decimal("1234.5")


@pytest.mark.django_db
def test_a_refused_catalogue_choice_keeps_the_choice_and_shows_the_error_at_its_field(
    client, staff_x, alliance, company_a
):
    ensure_starting_content(alliance)
    agreement = services.agreement_create(alliance=alliance, company=company_a, by=staff_x)
    item = CatalogueItem.objects.filter(alliance=alliance, is_milestone=False).last()
    client.force_login(staff_x)
    response = client.post(
        f"/aalborg/staff/agreements/{agreement.pk}/pledges/catalogue/",
        {"item": item.pk, "baseline_year": "2022", "baseline_value": "-5"},
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert f'value="{item.pk}" selected' in page
    assert 'value="-5"' in page
    assert page.count("invalid-feedback") == 1
    assert not agreement.pledges.exists()


@pytest.mark.django_db
def test_the_same_value_reads_the_same_in_table_page_and_document(
    client, staff_x, alliance, company_a
):
    ensure_starting_content(alliance)
    agreement = services.agreement_create(alliance=alliance, company=company_a, by=staff_x)
    agreement.pledges.create(
        title="Halve scope 1",
        focus_area="energy",
        metric="t CO2e",
        baseline_year=2022,
        baseline_value=Decimal("1234.50"),
        target_year=2030,
        target_value=Decimal("617.25"),
    )
    client.force_login(staff_x)
    for prefix, shown in (("", "1.234,5"), ("/en", "1,234.5")):
        page = client.get(f"{prefix}/aalborg/staff/agreements/{agreement.pk}/").content.decode()
        assert f"From {shown}" in page or f"Fra {shown}" in page
        assert "1234,50" not in page and "1234.50" not in page
    for language, shown in (("da", "1.234,5"), ("en", "1,234.5")):
        agreement.language = language
        assert shown in build_document(agreement).pledges[0].target
