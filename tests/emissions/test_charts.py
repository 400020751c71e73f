"""Charts as server-side SVG: numbers in the reader's language, the target path drawn, and
each chart served only to who may see it (the public one: approved years of a partner that
publishes its figures)."""

import re
from decimal import Decimal

import pytest

from emissions import charts
from tests.factories import AgreementFactory, AllianceTargetFactory, PledgeFactory

from .test_documents import approved_report, co2_pledge, inventory

pytestmark = pytest.mark.django_db

D = Decimal
STAFF_CHART = "/aalborg/staff/emissions/companies/{pk}/chart.svg"


def svg_texts(svg: str) -> list[str]:
    """The words and numbers in the SVG (text stays text: svg.fonttype none)."""
    return [t.strip() for t in re.findall(r">([^<>]+)</text>", svg) if t.strip()]


def chart_of_alfa():
    return charts.CompanyChart(
        company="Alfa A/S",
        years=[2021, 2024],
        scope1=[D("1200"), D("900.5")],
        scope2=[D("300"), D("200")],
        scope3=[D("0"), D("50")],
        totals=[D("1500"), D("1150.5")],
        baseline_year=2021,
        target=[(2021, D("1500")), (2030, D("750"))],
        target_scopes=[1, 2],
    )


def test_axis_numbers_follow_the_language():
    danish = svg_texts(charts.company_svg(chart_of_alfa(), "da"))
    english = svg_texts(charts.company_svg(chart_of_alfa(), "en"))
    assert "1.500" in danish and "1,500" not in danish
    assert "1,500" in english
    # Years are labels, never grouped like numbers.
    assert {"2021", "2024", "2030"} <= set(danish)
    assert "2.021" not in danish


def test_small_values_get_decimal_commas_in_danish():
    chart = charts.CompanyChart(
        company="Lille ApS",
        years=[2023, 2024],
        scope1=[D("0.6"), D("0.45")],
        scope2=[D("0"), D("0")],
        scope3=[D("0"), D("0")],
        totals=[D("0.6"), D("0.45")],
    )
    texts = svg_texts(charts.company_svg(chart, "da"))
    assert "0,4" in texts or "0,3" in texts
    assert not any(re.fullmatch(r"\d+\.\d", text) for text in texts)


def test_the_company_chart_draws_scopes_and_the_target_path():
    svg = charts.company_svg(chart_of_alfa(), "en")
    texts = svg_texts(svg)
    assert {"Scope 1", "Scope 2", "Scope 3", "Target path (scope 1+2)"} <= set(texts)
    assert svg.count("<svg") == 1 and "<script" not in svg
    assert charts.company_svg(chart_of_alfa(), "en") == svg  # the same chart, the same bytes


def test_the_summary_reads_the_chart_out_loud():
    summary = chart_of_alfa().summary()  # in Danish, the active language
    assert "Alfa A/S" in summary and "2021–2024" in summary
    assert "1.500,0" in summary and "1.150,5" in summary
    assert "750,0" in summary and "2030" in summary


def test_the_company_chart_takes_its_target_from_a_co2e_pledge(alliance, company_a):
    inventory(company_a, 2021, "900", "100", baseline=True)
    inventory(company_a, 2024, "700", "100")
    share = PledgeFactory(
        agreement=AgreementFactory(alliance=alliance, company=company_a),
        metric="% elbiler",
        title="Elbiler",
    )
    pledge = co2_pledge(alliance, company_a)
    chart = charts.company_chart(company_a, pledges=[share, pledge])
    assert chart.years == [2021, 2024] and chart.totals == [D(1000), D(800)]
    assert chart.target == [(2021, D(1200)), (2030, D(600))]
    assert chart.target_pledge == "Halvér udledningen" and chart.target_scopes == [1, 2]
    assert charts.company_chart(company_a, pledges=[share]).target == []


def test_the_alliance_chart_has_baseline_and_target(alliance, company_a):
    inventory(company_a, 2021, "900", "100", baseline=True)
    inventory(company_a, 2024, "700", "100")
    approved_report(alliance, company_a, 2024)
    AllianceTargetFactory(alliance=alliance, reduction_percent=D("70"), target_year=2030)
    chart = charts.alliance_chart(alliance)
    assert [row.year for row in chart.years] == [2024]
    assert chart.baseline_t == D(1000) and chart.baseline_year == 2021
    assert chart.target_t == D(300) and chart.target_year == 2030
    texts = svg_texts(charts.alliance_svg(chart, "da"))
    assert "2030" in texts and "1.000" in texts


# --- Who sees which chart ---------------------------------------------------------------------


def test_staff_get_their_members_chart_as_svg_with_its_own_policy(client, staff_x, company_a):
    inventory(company_a, 2024, "700", "100", baseline=True)
    client.force_login(staff_x)
    response = client.get(STAFF_CHART.format(pk=company_a.pk))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("image/svg+xml")
    # Exempt from the site policy (which would strip the chart's inline styles), with a
    # stricter one of its own: nothing loads, nothing runs.
    assert response["Content-Security-Policy"] == "default-src 'none'; style-src 'unsafe-inline'"
    assert "2024" in svg_texts(response.content.decode())


def test_charts_of_other_alliances_are_out_of_reach(
    client, staff_x, staff_y, rep_a, company_a, company_b
):
    client.force_login(staff_x)
    assert client.get(STAFF_CHART.format(pk=company_b.pk)).status_code == 404
    for user in (staff_y, rep_a):
        client.force_login(user)
        assert client.get(STAFF_CHART.format(pk=company_a.pk)).status_code == 403
        assert client.get("/aalborg/staff/emissions/chart.svg").status_code == 403


def test_a_representative_gets_the_chart_of_their_own_company_only(client, rep_a, rep_b, company_a):
    url = f"/my/emissions/companies/{company_a.pk}/chart.svg"
    client.force_login(rep_a)
    assert client.get(url).status_code == 200
    client.force_login(rep_b)
    assert client.get(url).status_code == 404


def test_the_public_chart_shows_approved_years_of_publishing_partners_only(
    client, alliance, company_a
):
    AgreementFactory(alliance=alliance, company=company_a)  # an active, public partner
    inventory(company_a, 2023, "700", "77", baseline=True)
    approved_report(alliance, company_a, 2023)
    inventory(company_a, 2024, "1", "1")  # entered, not approved
    url = f"/aalborg/partners/{company_a.cvr}/emissions.svg"
    assert client.get(url).status_code == 404  # does not publish its figures
    company_a.publishes_figures = True
    company_a.save()
    response = client.get(url)
    assert response.status_code == 200
    texts = svg_texts(response.content.decode())
    assert "2023" in texts and "2024" not in texts
    assert client.get("/aalborg/partners/99999999/emissions.svg").status_code == 404
