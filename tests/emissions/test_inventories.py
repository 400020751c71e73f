"""Climate accounts (inventories): a representative keeps the company's accounts year by
year; staff of the company's alliance read them and mark figures verified.

Pages whose wording comes from other parts of the portal are opened under /en/; the Danish
pages are used where the Danish decimal comma or a Danish message is the point.
"""

import datetime
import re
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from companies.models import Membership
from emissions import services
from emissions.models import (
    Category,
    EmissionFactor,
    Inventory,
    InventoryLine,
    Report,
    ReportingRound,
)
from tests.factories import CompanyFactory, MembershipFactory, RepresentationFactory

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
THIS_YEAR = timezone.localdate().year


# --- Helpers (also used by test_inventory_spreadsheets.py) ---------------------------------


def my(company, path="", prefix=""):
    return f"{prefix}/my/emissions/companies/{company.pk}/{path}"


def year_url(inventory, path="", prefix=""):
    return my(inventory.company, f"{inventory.year}/{path}", prefix)


def staff_url(company, path="", prefix="", slug="aalborg"):
    return f"{prefix}/{slug}/staff/emissions/companies/{company.pk}/{path}"


def factor(activity, unit, year, supplier=""):
    return EmissionFactor.objects.get(activity=activity, unit=unit, year=year, supplier=supplier)


def flights_factor():
    """The administrator adds a factor for flights (the seed has none)."""
    return EmissionFactor.objects.get_or_create(
        activity="flights",
        supplier="",
        unit="pkm",
        year=2023,
        defaults={"kg_co2e_per_unit": Decimal("0.15"), "source": "Test: rejsebureauets tal"},
    )[0]


def add_line(inventory, **fields):
    """A line saved through the service, as the form would."""
    inventory.refresh_from_db()
    line = InventoryLine(inventory=inventory, **fields)
    return services.line_save(line=line, seen_version=inventory.version)


def electricity_line(inventory, mwh="100", **extra):
    return add_line(
        inventory,
        category=Category.ELECTRICITY,
        description="El",
        factor=factor("electricity", "kWh", 2023),
        quantity=Decimal(mwh),
        unit="MWh",
        **extra,
    )


def direct_line(inventory, tonnes="10", description="Køer", category=Category.LIVESTOCK):
    return add_line(
        inventory,
        category=category,
        description=description,
        method="direct",
        tonnes_direct=Decimal(tonnes),
        method_note="Normtal",
    )


def approve(company, year, alliance):
    """Staff approved the company's report for `year`: the year's figures are locked."""
    round_ = ReportingRound.objects.create(
        alliance=alliance, year=year, deadline=datetime.date(THIS_YEAR, 12, 31)
    )
    return Report.objects.create(round=round_, company=company, status=Report.Status.APPROVED)


def line_data(inventory, **fields):
    """POST data of the line form, opened at the inventory's current version."""
    inventory.refresh_from_db()
    data = {
        "category": Category.ELECTRICITY,
        "description": "El til kontoret",
        "method": "activity",
        "factor": factor("electricity", "kWh", 2023).pk,
        "quantity": "100",
        "unit": "MWh",
        "market_factor": "",
        "tonnes_direct": "",
        "method_note": "",
        "version": inventory.version,
    }
    data.update(fields)
    return {key: value for key, value in data.items() if value is not None}


def body(response):
    return response.content.decode()


@pytest.fixture
def inventory_a(company_a):
    return services.inventory_create(company=company_a, year=2023)


@pytest.fixture
def rep(client, rep_a):
    client.force_login(rep_a)
    return client


# --- The representative's pages -------------------------------------------------------------


def test_list_shows_each_year_with_totals_per_scope_and_the_baseline(rep, company_a):
    baseline = services.inventory_create(company=company_a, year=2022, is_baseline=True)
    direct_line(baseline, "1000")
    electricity_line(baseline, "1000", guarantees_of_origin=True)  # 96 t location, 0 market
    later = services.inventory_create(company=company_a, year=2023)
    direct_line(later, "900")
    page = body(rep.get(my(company_a)))
    assert "Klimaregnskaber for Alfa A/S" in page
    row_2022 = page.split(">2022</a>", 1)[1].split("</tr>", 1)[0]
    assert "basisår" in row_2022
    cells = [cell.split("<", 1)[0] for cell in row_2022.split('<td class="text-end">')[1:]]
    # scope 1, scope 2 location, scope 2 market, scope 3, totals (Danish decimal comma)
    # One formatter (klimaalliance.numbers): no trailing zeros, as in the documents.
    assert cells[:4] == ["1.000", "96", "0", "0"]
    assert "1.096" in row_2022 and "1.000" in row_2022
    row_2023 = page.split(">2023</a>", 1)[1].split("</tr>", 1)[0]
    assert "-17,9&nbsp;%" in row_2023  # 900 against 1,096 t


def test_new_year_is_created_and_opens_its_page(rep, company_a):
    response = rep.post(my(company_a, "new/"), {"year": "2021", "is_baseline": "on"})
    inventory = Inventory.objects.get(company=company_a, year=2021)
    assert inventory.is_baseline
    assert response.status_code == 302
    assert response["Location"] == year_url(inventory)
    assert "Klimaregnskabet for 2021 er oprettet" in body(rep.get(response["Location"]))


@pytest.mark.parametrize("year", ["1989", str(THIS_YEAR + 1)])
def test_a_year_before_1990_or_in_the_future_is_refused(rep, company_a, year):
    response = rep.post(my(company_a, "new/", prefix="/en"), {"year": year})
    assert response.status_code == 400
    assert f"The year must be between 1990 and this year ({THIS_YEAR})." in body(response)
    assert not Inventory.objects.filter(company=company_a).exists()


def test_two_inventories_for_the_same_year_are_refused(rep, company_a, inventory_a):
    response = rep.post(my(company_a, "new/", prefix="/en"), {"year": "2023"})
    assert response.status_code == 400
    assert "The company already has a climate account for 2023." in body(response)
    assert Inventory.objects.filter(company=company_a).count() == 1


def test_a_second_baseline_is_refused_when_creating_and_when_marking(rep, company_a):
    services.inventory_create(company=company_a, year=2019, is_baseline=True)
    response = rep.post(my(company_a, "new/", prefix="/en"), {"year": "2022", "is_baseline": "on"})
    assert response.status_code == 400
    assert "The company already has a baseline year (2019)." in body(response)
    assert not Inventory.objects.filter(year=2022).exists()

    other = services.inventory_create(company=company_a, year=2022)
    response = rep.post(
        year_url(other, "baseline/", prefix="/en"),
        {"version": other.version, "baseline": "set"},
        follow=True,
    )
    assert "The company already has a baseline year." in body(response)
    assert list(Inventory.objects.filter(is_baseline=True).values_list("year", flat=True)) == [2019]


def test_the_baseline_moves_by_unmarking_then_marking(rep, company_a):
    first = services.inventory_create(company=company_a, year=2019, is_baseline=True)
    second = services.inventory_create(company=company_a, year=2020)
    rep.post(year_url(first, "baseline/"), {"version": first.version, "baseline": "unset"})
    second.refresh_from_db()
    response = rep.post(
        year_url(second, "baseline/"), {"version": second.version, "baseline": "set"}, follow=True
    )
    assert "2020 er nu basisåret." in body(response)
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.is_baseline, second.is_baseline) == (False, True)


def test_year_page_groups_lines_by_scope_with_the_factor_used(rep, inventory_a):
    electricity_line(inventory_a, "420")
    direct_line(inventory_a, "2300", "Malkekøer")
    page = body(rep.get(year_url(inventory_a)))
    scope1 = page.split('id="scope-1-heading"', 1)[1].split("</section>", 1)[0]
    scope2 = page.split('id="scope-2-heading"', 1)[1].split("</section>", 1)[0]
    assert "Malkekøer" in scope1 and "2.300" in scope1 and "Normtal" in scope1
    assert "El" in scope2
    assert "420 MWh" in scope2
    assert "0,096 kg CO2e/kWh" in scope2
    assert "(2023)" in scope2 and "Green Power Denmark" in scope2
    assert "40,32" in scope2  # 420 MWh × 0.096 kg/kWh
    assert "Ingen linjer i scope 3." in page


def test_line_is_added_with_a_danish_decimal_comma(rep, inventory_a):
    response = rep.post(
        year_url(inventory_a, "lines/new/"), line_data(inventory_a, quantity="1.234,5")
    )
    assert response.status_code == 302
    line = inventory_a.lines.get()
    assert line.quantity == Decimal("1234.5")
    assert line.tonnes_location == Decimal("118.512")  # 1,234,500 kWh × 0.096 kg
    inventory_a.refresh_from_db()
    assert inventory_a.scope2_location_t == Decimal("118.512")
    page = body(rep.get(year_url(inventory_a, f"lines/{line.pk}/")))
    assert 'value="1234,500"' in page or 'value="1234,5"' in page


def test_english_pages_take_english_numbers(rep, inventory_a):
    rep.post(
        year_url(inventory_a, "lines/new/", prefix="/en"),
        line_data(inventory_a, quantity="1,234.5"),
    )
    assert inventory_a.lines.get().quantity == Decimal("1234.5")


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"quantity": "-5"}, "The quantity cannot be negative."),
        ({"quantity": "2000000000000"}, "The quantity is implausibly large"),
        (
            {"method": "direct", "tonnes_direct": "-1", "method_note": "x"},
            "Tonnes CO2e cannot be negative.",
        ),
        (
            {"method": "direct", "tonnes_direct": "2000000000", "method_note": "x"},
            "More than a billion tonnes CO2e on one line is not plausible.",
        ),
        ({"method": "direct", "tonnes_direct": "5"}, "Say how the tonnes were calculated."),
        ({"unit": "kg"}, "kg does not fit"),
        ({"unit": "l"}, "which is counted in kWh"),
        ({"factor": ""}, "Choose an emission factor."),
        ({"quantity": "mange"}, "Enter a number."),
        (
            {"category": Category.HEAT, "guarantees_of_origin": "on"},
            "Guarantees of origin apply to electricity only.",
        ),
    ],
)
def test_bad_line_input_is_refused_with_a_clear_message(rep, inventory_a, fields, message):
    response = rep.post(
        year_url(inventory_a, "lines/new/", prefix="/en"), line_data(inventory_a, **fields)
    )
    assert response.status_code == 400
    assert message in body(response)
    assert not inventory_a.lines.exists()


def test_unit_mismatch_names_the_unit(rep, inventory_a):
    response = rep.post(
        year_url(inventory_a, "lines/new/", prefix="/en"), line_data(inventory_a, unit="m3")
    )
    assert "m3 does not fit" in body(response) and "kWh" in body(response)


def test_direct_line_needs_tonnes_and_a_method_note(rep, inventory_a):
    data = line_data(
        inventory_a,
        category=Category.FIELDS,
        description="Marker",
        method="direct",
        tonnes_direct="650",
        method_note="Normtal pr. ha",
        quantity="-1",  # ignored for a direct line
        unit="kg",
    )
    response = rep.post(year_url(inventory_a, "lines/new/"), data)
    assert response.status_code == 302
    line = inventory_a.lines.get()
    assert (line.method, line.tonnes_location, line.quantity, line.factor) == (
        "direct",
        Decimal("650"),
        None,
        None,
    )


def test_new_line_preselects_the_factor_of_the_accounts_year(rep, company_a, inventory_a):
    electricity_2023 = factor("electricity", "kWh", 2023)
    page = body(rep.get(year_url(inventory_a, "lines/new/") + "?activity=electricity"))
    assert f'<option value="{electricity_2023.pk}" selected data-units="kWh MWh GJ"' in page
    assert '<option value="s2_electricity" selected>' in page


def test_no_factor_for_the_year_means_the_user_chooses(rep, company_a):
    inventory = services.inventory_create(company=company_a, year=2024)
    page = body(rep.get(year_url(inventory, "lines/new/", prefix="/en") + "?activity=electricity"))
    assert "The library has no factor for Electricity" in page and "in 2024" in page
    factor_select = page.split('name="factor"', 1)[1].split("</select>", 1)[0]
    assert re.search(r'<option value="\d+" selected', factor_select) is None
    # Every factor of the library is offered, for every activity and year.
    assert page.count("data-units=") == EmissionFactor.objects.count()


def test_factor_labels_name_activity_supplier_year_and_value(rep, inventory_a):
    page = body(rep.get(year_url(inventory_a, "lines/new/")))
    assert "Fjernvarme – Fjernvarme Fyn · 2023 · 56,95 kg CO2e/MWh" in page


def test_line_is_edited_and_deleted(rep, inventory_a):
    line = electricity_line(inventory_a, "100")
    response = rep.post(
        year_url(inventory_a, f"lines/{line.pk}/"), line_data(inventory_a, quantity="200")
    )
    assert response.status_code == 302
    line.refresh_from_db()
    assert line.tonnes_location == Decimal("19.200")
    inventory_a.refresh_from_db()
    rep.post(year_url(inventory_a, f"lines/{line.pk}/delete/"), {"version": inventory_a.version})
    inventory_a.refresh_from_db()
    assert not inventory_a.lines.exists()
    assert inventory_a.total_location_t == 0


def test_a_stale_form_is_refused_and_keeps_the_input(rep, inventory_a):
    line = electricity_line(inventory_a, "100")
    opened = line_data(inventory_a, quantity="250,5", description="Min version")
    # Someone else saves first.
    add_line(
        inventory_a,
        category=Category.LIVESTOCK,
        description="Kvæg",
        method="direct",
        tonnes_direct=Decimal(5),
        method_note="Normtal",
    )
    response = rep.post(year_url(inventory_a, f"lines/{line.pk}/", prefix="/en"), opened)
    assert response.status_code == 409
    page = body(response)
    assert "Someone else saved changes after you opened this page." in page
    assert 'value="Min version"' in page and 'value="250,5"' in page  # as the user typed it
    line.refresh_from_db()
    assert line.quantity == Decimal("100") and line.description == "El"
    # The form now carries the current version: saving again (after comparing) works.
    inventory_a.refresh_from_db()
    assert f'name="version" value="{inventory_a.version}"' in page
    again = rep.post(
        year_url(inventory_a, f"lines/{line.pk}/"), {**opened, "version": inventory_a.version}
    )
    assert again.status_code == 302
    line.refresh_from_db()
    assert line.description == "Min version"


def test_a_stale_form_in_danish_keeps_the_decimal_comma(rep, inventory_a):
    opened = line_data(inventory_a, quantity="250,5", description="Ny linje")
    direct_line(inventory_a)
    response = rep.post(year_url(inventory_a, "lines/new/"), opened)
    assert response.status_code == 409
    assert 'value="250,5"' in body(response)
    assert inventory_a.lines.count() == 1


def test_stale_delete_is_refused(rep, inventory_a):
    line = electricity_line(inventory_a)
    seen = Inventory.objects.get(pk=inventory_a.pk).version
    direct_line(inventory_a)
    response = rep.post(
        year_url(inventory_a, f"lines/{line.pk}/delete/", prefix="/en"),
        {"version": seen},
        follow=True,
    )
    assert "Someone else saved changes" in body(response)
    assert InventoryLine.objects.filter(pk=line.pk).exists()


def test_approved_year_is_read_only(rep, alliance, company_a, inventory_a):
    line = electricity_line(inventory_a)
    inventory_a.refresh_from_db()
    approve(company_a, 2023, alliance)
    page = body(rep.get(year_url(inventory_a, prefix="/en")))
    assert "its figures are read-only" in page
    assert f"lines/{line.pk}/" not in page
    assert "lines/new/" not in page and "import/" not in page and "baseline/" not in page

    attempts = [
        (year_url(inventory_a, "lines/new/"), line_data(inventory_a)),
        (year_url(inventory_a, f"lines/{line.pk}/"), line_data(inventory_a, quantity="1")),
        (year_url(inventory_a, f"lines/{line.pk}/delete/"), {"version": inventory_a.version}),
        (year_url(inventory_a, "baseline/"), {"version": inventory_a.version, "baseline": "set"}),
        (year_url(inventory_a, "import/"), {"version": inventory_a.version}),
        (year_url(inventory_a, "report/"), {"file": SimpleUploadedFile("r.pdf", PDF)}),
    ]
    for url, data in attempts:
        response = rep.post(url, data, follow=True)
        assert "Tallene for 2023 er godkendt og kan ikke ændres." in body(response), url
    inventory_a.refresh_from_db()
    assert list(inventory_a.lines.values_list("quantity", flat=True)) == [Decimal("100.000")]
    assert not inventory_a.is_baseline and not inventory_a.attachment
    # The edit form itself is not offered either.
    response = rep.get(year_url(inventory_a, f"lines/{line.pk}/"))
    assert response.status_code == 302


# --- The company's own climate report (PDF) -------------------------------------------------


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    return tmp_path


def test_a_pdf_report_is_attached_and_downloaded_through_a_checked_view(
    rep, client, media, inventory_a, staff_x, rep_b
):
    upload = SimpleUploadedFile("Klimarapport 2023.pdf", PDF, content_type="application/pdf")
    response = rep.post(year_url(inventory_a, "report/"), {"file": upload}, follow=True)
    assert "Klimarapporten er vedhæftet." in body(response)
    inventory_a.refresh_from_db()
    assert inventory_a.attachment_name == "Klimarapport 2023.pdf"
    assert "Klimarapport" not in inventory_a.attachment.name  # an unguessable path
    download = rep.get(year_url(inventory_a, "report.pdf"))
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF
    assert "Klimarapport 2023.pdf" in download["Content-Disposition"]
    client.force_login(staff_x)
    staff_download = client.get(staff_url(inventory_a.company, "2023/report.pdf"))
    assert staff_download.status_code == 200
    b"".join(staff_download.streaming_content)
    client.force_login(rep_b)
    assert client.get(year_url(inventory_a, "report.pdf")).status_code == 404


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("rapport.pdf", b"GIF89a not a pdf", "The file is not a PDF document"),
        ("rapport.docx", PDF, "Upload a PDF file"),
        ("stor.pdf", b"%PDF-1.4\n" + b"0" * (10 * 1024 * 1024), "a document may be at most 10 MB"),
    ],
)
def test_a_file_that_is_not_a_small_pdf_is_refused(rep, media, inventory_a, name, content, message):
    upload = SimpleUploadedFile(name, content)
    response = rep.post(
        year_url(inventory_a, "report/", prefix="/en"), {"file": upload}, follow=True
    )
    assert message in body(response)
    inventory_a.refresh_from_db()
    assert not inventory_a.attachment


def test_no_attachment_is_not_found(rep, inventory_a):
    assert rep.get(year_url(inventory_a, "report.pdf")).status_code == 404


# --- Staff --------------------------------------------------------------------------------


def test_staff_read_a_members_accounts_without_edit_buttons(client, staff_x, inventory_a):
    line = electricity_line(inventory_a)
    client.force_login(staff_x)
    listing = body(client.get(staff_url(inventory_a.company)))
    assert "/aalborg/staff/emissions/companies/" in listing and ">2023</a>" in listing
    page = body(client.get(staff_url(inventory_a.company, "2023/")))
    assert "El" in page and "9,6" in page
    assert f"lines/{line.pk}/" not in page and "lines/new/" not in page
    assert "Markér som verificeret" in page


def test_staff_mark_figures_verified_with_who_when_and_how(client, staff_x, inventory_a):
    client.force_login(staff_x)
    response = client.post(
        staff_url(inventory_a.company, "2023/verify/"), {"method": "Sammenholdt med elregningen"}
    )
    assert response.status_code == 302
    inventory_a.refresh_from_db()
    assert inventory_a.verified_by == staff_x
    assert inventory_a.verification_method == "Sammenholdt med elregningen"
    assert abs((timezone.now() - inventory_a.verified_at).total_seconds()) < 60
    page = body(client.get(response["Location"], follow=True))
    assert "Sammenholdt med elregningen" in page


def test_verification_needs_to_say_how(client, staff_x, inventory_a):
    client.force_login(staff_x)
    response = client.post(
        staff_url(inventory_a.company, "2023/verify/", prefix="/en"), {"method": "  "}
    )
    assert response.status_code == 400
    assert "Say how the figures were verified." in body(response)
    inventory_a.refresh_from_db()
    assert inventory_a.verified_at is None


def test_verification_is_shown_to_the_representative(rep, staff_x, inventory_a):
    services.inventory_verify(inventory=inventory_a, by=staff_x, method="Stikprøve af fakturaer")
    page = body(rep.get(year_url(inventory_a)))
    assert "Stikprøve af fakturaer" in page


def test_staff_do_not_see_prospects_accounts(client, alliance, staff_x):
    prospect = MembershipFactory(alliance=alliance, status=Membership.Status.PROSPECT).company
    services.inventory_create(company=prospect, year=2023)
    client.force_login(staff_x)
    assert client.get(staff_url(prospect)).status_code == 404
    assert client.get(staff_url(prospect, "2023/")).status_code == 404


def test_staff_export_a_members_year(client, staff_x, inventory_a):
    electricity_line(inventory_a)
    client.force_login(staff_x)
    response = client.get(staff_url(inventory_a.company, "2023/export.csv"))
    assert response.status_code == 200
    assert "s2_electricity" in response.content.decode("utf-8-sig")


# --- Who may do what ----------------------------------------------------------------------


@pytest.fixture
def signed_in(client, roles):
    def sign_in(role):
        client.logout()
        if roles[role] is not None:
            client.force_login(roles[role])
        return client

    return sign_in


REP_PAGES = ["", "new/", "2023/", "2023/lines/new/", "2023/import/", "2023/export.xlsx"]
STAFF_PAGES = ["", "2023/", "2023/export.csv"]


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("anonymous", 302),
        ("rep_a", 200),
        ("rep_b", 404),
        ("staff_x", 404),
        ("staff_y", 404),
        ("admin", 404),
    ],
)
def test_representative_pages_from_every_role(signed_in, company_a, inventory_a, role, expected):
    client = signed_in(role)
    for path in REP_PAGES:
        response = client.get(my(company_a, path))
        assert response.status_code == expected, path
        if role == "anonymous":
            assert response["Location"].startswith("/accounts/login/?next=")


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("anonymous", 302),
        ("rep_a", 403),
        ("rep_b", 403),
        ("staff_x", 200),
        ("staff_y", 403),
        ("admin", 200),
    ],
)
def test_staff_pages_from_every_role(signed_in, company_a, inventory_a, role, expected):
    client = signed_in(role)
    for path in STAFF_PAGES:
        assert client.get(staff_url(company_a, path)).status_code == expected, path


def test_staff_of_another_alliance_see_their_own_members_only(
    client, staff_y, company_a, company_b
):
    services.inventory_create(company=company_b, year=2023)
    services.inventory_create(company=company_a, year=2023)
    client.force_login(staff_y)
    assert client.get(staff_url(company_b, "2023/", slug="aarhus")).status_code == 200
    # Company A is not a member of Aarhus: not found, even under Aarhus's own address.
    assert client.get(staff_url(company_a, "2023/", slug="aarhus")).status_code == 404


@pytest.mark.parametrize("role", ["rep_b", "staff_x", "staff_y", "admin"])
def test_nobody_else_changes_a_companys_lines(signed_in, company_a, inventory_a, role):
    line = electricity_line(inventory_a)
    client = signed_in(role)
    attempts = [
        (year_url(inventory_a, "lines/new/"), line_data(inventory_a)),
        (year_url(inventory_a, f"lines/{line.pk}/"), line_data(inventory_a, quantity="1")),
        (year_url(inventory_a, f"lines/{line.pk}/delete/"), {"version": inventory_a.version}),
        (year_url(inventory_a, "baseline/"), {"version": inventory_a.version, "baseline": "set"}),
        (my(company_a, "new/"), {"year": "2020"}),
    ]
    for url, data in attempts:
        assert client.post(url, data).status_code == 404, url
    assert list(inventory_a.lines.values_list("quantity", flat=True)) == [Decimal("100.000")]
    assert not Inventory.objects.filter(year=2020).exists()


def test_staff_cannot_verify_another_alliances_member(client, staff_y, inventory_a):
    client.force_login(staff_y)
    response = client.post(staff_url(inventory_a.company, "2023/verify/"), {"method": "x"})
    assert response.status_code == 403
    inventory_a.refresh_from_db()
    assert inventory_a.verified_at is None


def test_a_rep_of_two_companies_reaches_both_but_not_a_third(client, rep_a, company_a):
    second = CompanyFactory(legal_name="Anden ApS")
    RepresentationFactory(company=second, user=rep_a)
    third = CompanyFactory(legal_name="Tredje ApS")
    client.force_login(rep_a)
    assert client.get(my(second)).status_code == 200
    assert client.get(my(third)).status_code == 404


# --- Query counts ---------------------------------------------------------------------------


def _queries(client, url):
    with CaptureQueriesContext(connection) as context:
        assert client.get(url).status_code == 200
    return len(context.captured_queries)


def test_list_page_queries_do_not_grow_with_the_years(rep, company_a, django_assert_num_queries):
    for year in (2021, 2022):
        direct_line(services.inventory_create(company=company_a, year=year))
    url = my(company_a)
    few = _queries(rep, url)
    for year in range(2000, 2018):
        services.inventory_create(company=company_a, year=year)
    with django_assert_num_queries(few):
        assert rep.get(url).status_code == 200
    # session, user, the company, the inventories (with their approval), the staff roles
    # and the task count for the menu; the second factor costs nothing for a
    # representative without an app
    assert few == 6


def test_year_page_queries_do_not_grow_with_the_lines(rep, inventory_a, django_assert_num_queries):
    electricity_line(inventory_a)
    direct_line(inventory_a)
    url = year_url(inventory_a)
    few = _queries(rep, url)
    for number in range(18):
        direct_line(inventory_a, description=f"Linje {number}")
    with django_assert_num_queries(few):
        assert rep.get(url).status_code == 200
    # session, user, the inventory (with its approval), the lines, the other baseline, the
    # staff roles and the task count for the menu; the second factor costs nothing for a
    # representative without an app
    assert few == 7


def test_staff_year_page_queries_do_not_grow_with_the_lines(
    client, staff_x, inventory_a, django_assert_num_queries
):
    client.force_login(staff_x)
    direct_line(inventory_a)
    url = staff_url(inventory_a.company, "2023/")
    few = _queries(client, url)
    for number in range(19):
        direct_line(inventory_a, description=f"Linje {number}")
    with django_assert_num_queries(few):
        assert client.get(url).status_code == 200


# --- The farm and the museum ----------------------------------------------------------------


def _post_line(client, inventory, **fields):
    data = line_data(inventory, **fields)
    response = client.post(year_url(inventory, "lines/new/"), data)
    assert response.status_code == 302, body(response)


def test_klovsborg_farm_is_expressible(client, alliance):
    farm = MembershipFactory(
        alliance=alliance, company=CompanyFactory(legal_name="Klovsborg")
    ).company
    client.force_login(RepresentationFactory(company=farm).user)
    client.post(my(farm, "new/"), {"year": "2023", "is_baseline": "on"})
    inventory = Inventory.objects.get(company=farm, year=2023)
    direct = {"method": "direct", "factor": "", "quantity": "", "unit": ""}
    _post_line(
        client,
        inventory,
        **direct,
        category=Category.LIVESTOCK,
        description="Malkekøer: fordøjelse og gødning",
        tonnes_direct="2.300",
        method_note="Normtal pr. årsko",
    )
    _post_line(
        client,
        inventory,
        **direct,
        category=Category.FIELDS,
        description="Marker og drænet lavbundsjord",
        tonnes_direct="650",
        method_note="Normtal pr. ha",
    )
    _post_line(
        client,
        inventory,
        category=Category.MOBILE,
        description="Diesel til maskiner",
        factor=factor("diesel", "l", 2023).pk,
        quantity="48.000",
        unit="l",
    )
    _post_line(
        client,
        inventory,
        category=Category.ELECTRICITY,
        description="El til malkerobotter",
        quantity="420",
        unit="MWh",
    )
    inventory.refresh_from_db()
    # 2,300 + 650 + 48,000 l × 2.57 kg = 123.36 t; 420 MWh × 0.096 kg/kWh = 40.32 t.
    assert inventory.scope1_t == Decimal("3073.360")
    assert inventory.scope2_location_t == inventory.scope2_market_t == Decimal("40.320")
    assert inventory.scope3_t == 0
    assert inventory.total_location_t == inventory.total_market_t == Decimal("3113.680")
    assert inventory.is_baseline


def test_kunsten_museum_is_expressible(client, alliance):
    museum = MembershipFactory(
        alliance=alliance, company=CompanyFactory(legal_name="Kunsten")
    ).company
    client.force_login(RepresentationFactory(company=museum).user)
    client.post(my(museum, "new/"), {"year": "2023"})
    inventory = Inventory.objects.get(company=museum, year=2023)
    _post_line(
        client,
        inventory,
        category=Category.HEAT,
        description="Fjernvarme",
        factor=factor("district_heating", "MWh", 2023, "Fjernvarme Fyn").pk,
        quantity="2.900",
        unit="MWh",
    )
    _post_line(
        client,
        inventory,
        category=Category.ELECTRICITY,
        description="El med oprindelsesgarantier",
        quantity="900",
        unit="MWh",
        guarantees_of_origin="on",
    )
    _post_line(
        client,
        inventory,
        category=Category.BUSINESS_TRAVEL,
        description="Flyrejser, udstillinger og kurerer",
        factor=flights_factor().pk,
        quantity="300.000",
        unit="pkm",
    )
    inventory.refresh_from_db()
    # Heat: 2,900 MWh × 56.95 kg/MWh = 165.155 t; electricity 900 MWh × 0.096 kg/kWh = 86.4 t
    # location-based and 0 market-based; flights 300,000 pkm × 0.15 kg = 45 t.
    assert inventory.scope1_t == 0
    assert inventory.scope2_location_t == Decimal("251.555")
    assert inventory.scope2_market_t == Decimal("165.155")
    assert inventory.scope3_t == Decimal("45.000")
    assert inventory.total_location_t == Decimal("296.555")
    assert inventory.total_market_t == Decimal("210.155")
    page = body(client.get(year_url(inventory)))
    assert "296,6" in page and "210,2" in page  # both totals, Danish decimal comma
    assert "dækket af oprindelsesgarantier" in page.lower() or "oprindelsesgarantier" in page


def test_market_factor_of_a_supplier_counts_market_based(rep, inventory_a):
    response = rep.post(
        year_url(inventory_a, "lines/new/"), line_data(inventory_a, market_factor="0,02")
    )
    assert response.status_code == 302
    line = inventory_a.lines.get()
    # 100 MWh = 100,000 kWh: 9.6 t with the grid's factor, 2 t with the supplier's.
    assert (line.tonnes_location, line.tonnes_market) == (Decimal("9.600"), Decimal("2.000"))


# --- Links to the pages ---------------------------------------------------------------------


def test_company_pages_link_to_the_climate_accounts(client, rep_a, staff_x, company_a):
    client.force_login(rep_a)
    assert my(company_a) in body(client.get(f"/my/companies/{company_a.pk}/"))
    client.force_login(staff_x)
    page = body(client.get(f"/aalborg/staff/companies/{company_a.pk}/"))
    assert staff_url(company_a) in page
