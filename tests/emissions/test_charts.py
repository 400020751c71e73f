"""Charts as server-side SVG: numbers in the reader's language, the target path drawn, an
accessible and well-formed picture styled without a style attribute or element (so served
under the site's Content Security Policy), and each chart served only to who may see it (the
public one: approved years of a partner that publishes its figures)."""

import re
from decimal import Decimal
from xml.etree import ElementTree

import pytest

from emissions import charts, documents
from tests.factories import AgreementFactory, AllianceTargetFactory, PledgeFactory

from .test_documents import approved_report, co2_pledge, inventory, pdf_text

pytestmark = pytest.mark.django_db

D = Decimal
SVG = "{http://www.w3.org/2000/svg}"
STAFF_CHART = "/aalborg/staff/emissions/companies/{pk}/chart.svg"


def parse(svg):
    """The SVG's element tree; raises on anything but well-formed XML."""
    return ElementTree.fromstring(svg)  # noqa: S314 - our own output, not untrusted input


def svg_texts(svg: str) -> list[str]:
    """The words and numbers drawn in the SVG (its <text> elements)."""
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


def alliance_of_aalborg(**fields):
    row = charts.selectors.YearTotal(2024, 2, *[D(0)] * 4, D("800"), D("700"))
    values = {"years": [row], "baseline_t": D("1000"), "baseline_year": 2021}
    return charts.AllianceChart(alliance="Klimaalliancen Aalborg", **{**values, **fields})


def every_kind_of_chart():
    """(name, svg) of each chart and its empty state, in Danish and in English."""
    for language in ("da", "en"):
        yield "company", charts.company_svg(chart_of_alfa(), language)
        yield "company, empty", charts.company_svg(charts.CompanyChart("Alfa A/S"), language)
        target = {"target_year": 2030, "target_percent": D(70)}
        yield "alliance", charts.alliance_svg(alliance_of_aalborg(**target), language)
        yield "alliance, empty", charts.alliance_svg(charts.AllianceChart("Aalborg"), language)


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


@pytest.mark.parametrize(
    ("top", "ticks", "decimals"),
    [
        (1575, [0, 500, 1000, 1500, 2000], 0),
        (D("0.63"), [0, D("0.2"), D("0.4"), D("0.6"), D("0.8")], 1),
        (14, [0, D("2.5"), 5, D("7.5"), 10, D("12.5"), 15], 1),
        (0, [0, D("0.2"), D("0.4"), D("0.6"), D("0.8"), 1], 1),
    ],
)
def test_the_tonnes_axis_steps_in_nice_numbers(top, ticks, decimals):
    assert charts.nice_ticks(top) == (ticks, decimals)


def test_the_company_chart_draws_scopes_and_the_target_path():
    svg = charts.company_svg(chart_of_alfa(), "en")
    texts = svg_texts(svg)
    assert {"Scope 1", "Scope 2", "Scope 3", "Target path (scope 1+2)"} <= set(texts)
    assert svg.count("<svg") == 1 and "<script" not in svg
    root = parse(svg)
    # Bars of each scope in its colour (scope 3 has a bar in 2024 only), the path dashed.
    bars = {path.get("fill"): path.get("d") for path in root.iter(f"{SVG}path")}
    assert [bars[charts.SCOPE_COLOURS[scope]].count("M") for scope in (1, 2, 3)] == [2, 2, 1]
    [target] = root.iter(f"{SVG}polyline")
    assert target.get("stroke-dasharray") and len(target.get("points").split()) == 2
    assert charts.company_svg(chart_of_alfa(), "en") == svg  # the same chart, the same bytes


@pytest.mark.parametrize("language", ["da", "en"])
def test_the_pdf_chart_draws_the_axis_numbers_where_the_page_chart_does(language):
    """For WeasyPrint each axis's numbers are one text element with a position per
    character, starting where the page's labels, anchored at their end or middle, start."""
    page, pdf = (charts.company_svg(chart_of_alfa(), language, for_pdf=f) for f in (0, 1))

    def axes(svg):
        return [g for g in parse(svg).iter(f"{SVG}g") if g.get("fill") == "#333333"]

    for page_axis, pdf_axis, anchor in zip(axes(page), axes(pdf), ("end", "middle"), strict=True):
        labels, [placed] = list(page_axis), list(pdf_axis)
        assert (page_axis.get("text-anchor"), pdf_axis.get("text-anchor")) == (anchor, "start")
        assert placed.text == "".join(label.text for label in labels)
        xs, ys = placed.get("x").split(), placed.get("y").split()
        first = 0
        for label in labels:
            width = sum(charts.ADVANCE_EM[c] * charts.FONT_SIZE for c in label.text)
            start = float(label.get("x")) - (width if anchor == "end" else width / 2)
            assert float(xs[first]) == pytest.approx(start, abs=0.06), label.text
            assert ys[first] == label.get("y")
            first += len(label.text)
        assert first == len(xs) == len(ys)


def test_the_summary_reads_the_chart_out_loud():
    summary = chart_of_alfa().summary()  # in Danish, the active language
    assert "Alfa A/S" in summary and "2021–2024" in summary
    assert "1.500 t" in summary and "1.150,5" in summary
    assert "750 t" in summary and "2030" in summary


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
    svg = charts.alliance_svg(chart, "da")
    texts = svg_texts(svg)
    assert "2030" in texts and "1.000" in texts
    assert {"Godkendt i alt", "Medlemmernes basislinjer i alt", "Vejen til målet"} <= set(texts)
    root = parse(svg)
    baseline = [line for line in root.iter(f"{SVG}line") if line.get("y1") == line.get("y2")]
    assert any(line.get("stroke") == charts.BASELINE_COLOUR for line in baseline)
    [target] = root.iter(f"{SVG}polyline")
    assert len(target.get("points").split()) == 2


def test_without_figures_the_charts_say_so():
    company = svg_texts(charts.company_svg(charts.CompanyChart("Alfa A/S"), "da"))
    alliance = svg_texts(charts.alliance_svg(charts.AllianceChart("Aalborg"), "da"))
    assert "Ingen tal endnu" in company
    assert "Ingen godkendte tal endnu" in alliance
    english = svg_texts(charts.alliance_svg(charts.AllianceChart("Aalborg"), "en"))
    assert "No approved figures yet" in english


# --- Well-formed, accessible, and no styles for the CSP to block ------------------------------


def test_every_chart_is_well_formed_svg_without_style_attributes_or_elements():
    for name, svg in every_kind_of_chart():
        root = parse(svg)  # raises on anything but well-formed XML
        assert root.tag == f"{SVG}svg", name
        elements = list(root.iter())
        assert not [e.tag for e in elements if e.tag in (f"{SVG}style", f"{SVG}script")], name
        assert not [e.tag for e in elements if "style" in e.attrib], name
        assert "style" not in svg and "<script" not in svg and "href" not in svg, name


def test_the_svg_is_an_image_titled_and_described_in_the_chart_language():
    danish = parse(charts.company_svg(chart_of_alfa(), "da"))
    english = parse(charts.company_svg(chart_of_alfa(), "en"))
    for root, language in ((danish, "da"), (english, "en")):
        assert root.get("role") == "img" and root.get("lang") == language
        title, desc = root.find(f"{SVG}title"), root.find(f"{SVG}desc")
        assert root.get("aria-labelledby") == title.get("id")
        assert root.get("aria-describedby") == desc.get("id")
    assert danish.find(f"{SVG}title").text == "Udledning fordelt på scopes, lokationsbaseret"
    assert english.find(f"{SVG}title").text == "Emissions by scope, location-based"
    # The description is the chart's summary, the pages' alt text: decimal commas in Danish.
    desc = danish.find(f"{SVG}desc").text
    assert desc.startswith("Udledning for Alfa A/S")
    assert "1.500 t CO2e i 2021" in desc and "1.150,5 t CO2e i 2024" in desc
    desc = english.find(f"{SVG}desc").text
    assert desc.startswith("Emissions of Alfa A/S")
    assert "1,500 t CO2e in 2021" in desc and "1,150.5 t CO2e in 2024" in desc


def test_a_company_name_is_escaped_in_the_svg():
    chart = chart_of_alfa()
    chart.company = 'Alfa & Søn <script>alert("x")</script>'
    svg = charts.company_svg(chart, "da")
    assert "<script" not in svg
    desc = parse(svg).find(f"{SVG}desc").text
    assert 'Alfa & Søn <script>alert("x")</script>' in desc


def test_the_report_pdf_holds_the_chart_as_text(alliance, company_a):
    inventory(company_a, 2021, "1000", "234.5", baseline=True)
    inventory(company_a, 2024, "800", "150")
    pledge = co2_pledge(alliance, company_a)
    report = approved_report(alliance, company_a, 2024, values=[(pledge, "950")])
    text = pdf_text(documents.report_pdf(report, language="da"))
    assert "Udledning fordelt på scopes, lokationsbaseret" in text
    assert "Målsti (scope 1+2)" in text


# --- Who sees which chart ---------------------------------------------------------------------


def test_staff_get_their_members_chart_as_svg_under_the_site_policy(
    client, alliance, staff_x, company_a
):
    inventory(company_a, 2024, "700", "100", baseline=True)
    approved_report(alliance, company_a, 2024)
    client.force_login(staff_x)
    response = client.get(STAFF_CHART.format(pk=company_a.pk))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("image/svg+xml")
    assert response["Cache-Control"] == "private, max-age=60"
    # No exemption and no policy of its own: the one every page gets.
    assert response["Content-Security-Policy"] == client.get("/")["Content-Security-Policy"]
    assert "2024" in svg_texts(response.content.decode())


def test_every_chart_view_answers_under_the_site_policy(
    client, alliance, staff_x, rep_a, company_a
):
    AgreementFactory(alliance=alliance, company=company_a)
    company_a.publishes_figures = True
    company_a.save()
    inventory(company_a, 2023, "700", "77", baseline=True)
    approved_report(alliance, company_a, 2023)
    site_policy = client.get("/")["Content-Security-Policy"]
    public = client.get(f"/aalborg/partners/{company_a.cvr}/emissions.svg")
    client.force_login(staff_x)
    staff = [client.get("/aalborg/staff/emissions/chart.svg")]
    staff.append(client.get(STAFF_CHART.format(pk=company_a.pk)))
    client.force_login(rep_a)
    own = client.get(f"/my/emissions/companies/{company_a.pk}/chart.svg")
    for response in [public, *staff, own]:
        assert response.status_code == 200
        assert response["Content-Type"].startswith("image/svg+xml")
        assert response["Content-Security-Policy"] == site_policy
        assert "unsafe-inline" not in site_policy
        parse(response.content)


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


def test_a_public_chart_of_one_year_names_the_year_once():
    from types import SimpleNamespace

    from django.utils import translation

    from emissions.charts import PublicChart

    chart = PublicChart(alliance="Klimaalliancen Aalborg")
    chart.years = [SimpleNamespace(year=2024, total_location_t=800, companies=2)]
    chart.baseline_t = 1000
    with translation.override("en"):
        text = chart.summary()
    assert "2024–2024" not in text and text.count("2024") == 1
    assert "800 t CO2e in 2024 (2 companies)" in text
