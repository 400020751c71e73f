"""The wrong words of issue 14: one scope is "Scope 1", a one-year chart names its year
once, a draft without pledges ends no sentence in ": .", the group form's two chair fields
have different labels."""

from decimal import Decimal

import pytest
from django.utils import translation

from emissions.charts import CompanyChart
from network.group_forms import GroupForm
from partnerships import services
from partnerships.documents import build_document
from partnerships.seed import ensure_starting_content

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("language", "expected"),
    [("en", "1,234.5 t CO2e in 2024."), ("da", "1.234,5 t CO2e i 2024.")],
)
def test_a_one_year_chart_names_its_year_once(language, expected):
    chart = CompanyChart(company="Alfa A/S", years=[2024], totals=[Decimal("1234.5")])
    with translation.override(language):
        summary = chart.summary()
    assert "2024–2024" not in summary
    assert summary.count("2024") == 1
    if language == "en":
        assert summary.endswith(expected)


@pytest.mark.parametrize("language", ["da", "en"])
def test_a_draft_without_pledges_ends_no_sentence_in_a_colon(
    alliance, company_a, staff_x, language
):
    ensure_starting_content(alliance)
    agreement = services.agreement_create(alliance=alliance, company=company_a, by=staff_x)
    agreement.language = language
    document = build_document(agreement)
    text = " ".join(body for _heading, body in document.clauses)
    assert ": ." not in text and ": ;" not in text


@pytest.mark.parametrize("language", ["da", "en"])
def test_the_group_form_has_one_label_per_field(alliance, language):
    with translation.override(language):
        form = GroupForm(alliance=alliance)
        labels = [str(field.label).casefold() for field in form.fields.values()]
    assert len(labels) == len(set(labels))


@pytest.mark.parametrize(("prefix", "one", "two"), [("/en", "Scope 2", "Scopes 1, 3")])
def test_one_scope_is_singular(client, staff_x, alliance, company_a, prefix, one, two):
    ensure_starting_content(alliance)
    agreement = services.agreement_create(alliance=alliance, company=company_a, by=staff_x)
    for scopes in ([2], [1, 3]):
        agreement.pledges.create(
            title=f"P{scopes}", is_milestone=True, target_year=2030, scopes=scopes
        )
    client.force_login(staff_x)
    page = client.get(f"{prefix}/aalborg/staff/agreements/{agreement.pk}/").content.decode()
    assert f"{one}<" in page and two in page and "Scopes 2<" not in page
