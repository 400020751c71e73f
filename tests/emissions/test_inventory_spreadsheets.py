"""A year's lines as CSV and XLSX: one format for the export and the import, so a year goes
out, is edited in Excel and comes back with the same lines. An import checks every row
first and then replaces all lines at once, or saves nothing."""

import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook, load_workbook

from emissions import services
from emissions.models import Category, Inventory, InventoryLine
from emissions.spreadsheets import COLUMNS

from .test_inventories import (
    add_line,
    approve,
    body,
    direct_line,
    electricity_line,
    factor,
    flights_factor,
    year_url,
)

pytestmark = pytest.mark.django_db

DANISH_HEADER = (
    "Scope;Kategori;Beskrivelse;Metode;Mængde;Enhed;Aktivitet;Faktorår;Leverandør;"
    "Leverandørens faktor (kg CO2e pr. enhed);Oprindelsesgarantier;Ton CO2e;Metodenote"
)
ENGLISH_HEADER = (
    "Scope,Category,Description,Method,Quantity,Unit,Activity,Factor year,Supplier,"
    "Supplier factor (kg CO2e per unit),Guarantees of origin,Tonnes CO2e,Method note"
)

LINE_FIELDS = (
    "scope",
    "category",
    "description",
    "method",
    "quantity",
    "unit",
    "factor_id",
    "factor_value",
    "factor_year",
    "market_factor",
    "guarantees_of_origin",
    "tonnes_direct",
    "method_note",
    "tonnes_location",
    "tonnes_market",
)


@pytest.fixture
def rep(client, rep_a):
    client.force_login(rep_a)
    return client


@pytest.fixture
def full_year(company_a):
    """A year with every kind of line: units converted, a supplier's factor, guarantees of
    origin, a market-based factor, a factor of another year, direct tonnes with notes, and
    text that Excel would run as a formula."""
    inventory = services.inventory_create(company=company_a, year=2023, is_baseline=True)
    electricity_line(inventory, "900", guarantees_of_origin=True)
    add_line(
        inventory,
        category=Category.ELECTRICITY,
        description="El til lager; hal 2",
        factor=factor("electricity", "kWh", 2023),
        quantity=Decimal("1234.567"),
        unit="kWh",
        market_factor=Decimal("0.02"),
    )
    add_line(
        inventory,
        category=Category.HEAT,
        description="Fjernvarme",
        factor=factor("district_heating", "MWh", 2023, "Fjernvarme Fyn"),
        quantity=Decimal("2900"),
        unit="GJ",
    )
    add_line(
        inventory,
        category=Category.STATIONARY,
        description="Naturgas, 2022-faktor",
        factor=factor("natural_gas", "m3", 2022),
        quantity=Decimal("22000"),
        unit="m3",
    )
    add_line(
        inventory,
        category=Category.BUSINESS_TRAVEL,
        description="=Flyrejser",
        factor=flights_factor(),
        quantity=Decimal("300000"),
        unit="pkm",
    )
    direct_line(inventory, "2300.5", "Malkekøer: fordøjelse, gødning")
    direct_line(inventory, "45", "Indkøbte varer", category=Category.PURCHASED_GOODS)
    inventory.refresh_from_db()
    return inventory


def snapshot(inventory):
    inventory.refresh_from_db()
    lines = [
        tuple(getattr(line, name) for name in LINE_FIELDS)
        for line in inventory.lines.order_by("scope", "order", "pk")
    ]
    totals = (
        inventory.scope1_t,
        inventory.scope2_location_t,
        inventory.scope2_market_t,
        inventory.scope3_t,
        inventory.total_location_t,
        inventory.total_market_t,
    )
    return lines, totals


def import_file(client, inventory, name, content, prefix=""):
    inventory.refresh_from_db()
    upload = SimpleUploadedFile(name, content)
    return client.post(
        year_url(inventory, "import/", prefix=prefix),
        {"file": upload, "version": inventory.version},
    )


@pytest.mark.parametrize(
    ("fmt", "prefix"), [("csv", ""), ("csv", "/en"), ("xlsx", ""), ("xlsx", "/en")]
)
def test_an_exported_year_imports_back_to_the_same_lines(rep, full_year, fmt, prefix):
    before = snapshot(full_year)
    export = rep.get(year_url(full_year, f"export.{fmt}", prefix=prefix))
    assert export.status_code == 200
    assert f"klimaregnskab-{full_year.company.cvr}-2023.{fmt}" in export["Content-Disposition"]
    response = import_file(rep, full_year, f"linjer.{fmt}", export.content, prefix)
    assert response.status_code == 302, body(response)
    after = snapshot(full_year)
    assert after == before
    assert full_year.lines.count() == 7


def test_an_exported_year_imports_into_another_company(client, rep_a, full_year, company_b, rep_b):
    client.force_login(rep_a)
    export = client.get(year_url(full_year, "export.xlsx")).content
    other = services.inventory_create(company=company_b, year=2023)
    client.force_login(rep_b)
    assert import_file(client, other, "fra-alfa.xlsx", export).status_code == 302
    assert snapshot(other)[1] == snapshot(full_year)[1]


def test_danish_csv_uses_semicolons_and_decimal_commas(rep, full_year):
    text = rep.get(year_url(full_year, "export.csv")).content.decode("utf-8-sig")
    header, *rows = text.splitlines()
    assert header == DANISH_HEADER
    assert any("1234,567;kWh" in row for row in rows)
    assert any(row.endswith(";ja;;") or ";ja;" in row for row in rows)
    assert any(";2300,5;" in row for row in rows)
    assert any("'=Flyrejser" in row for row in rows)  # never run as a formula
    assert "El til lager; hal 2" in text  # quoted, since it holds the separator


def test_english_csv_uses_commas_and_decimal_points(rep, full_year):
    text = rep.get(year_url(full_year, "export.csv", prefix="/en")).content.decode("utf-8-sig")
    header, *rows = text.splitlines()
    assert header == ENGLISH_HEADER
    assert any("1234.567,kWh" in row for row in rows)


def test_xlsx_holds_numbers_as_numbers_and_lists_the_codes(rep, full_year):
    content = rep.get(year_url(full_year, "export.xlsx")).content
    workbook = load_workbook(io.BytesIO(content))
    sheet = workbook["linjer"]
    header = [cell.value for cell in sheet[1]]
    assert ";".join(header) == DANISH_HEADER
    quantities = [
        row[COLUMNS.index("quantity")] for row in sheet.iter_rows(min_row=2, values_only=True)
    ]
    assert 900 in quantities
    codes = [row[1] for row in workbook["koder"].iter_rows(min_row=2, values_only=True)]
    assert "s2_electricity" in codes and "district_heating" in codes


# The column keys: what files written before the headers were translated hold.
HEADER = ";".join(COLUMNS)


def danish_csv(*rows, header=HEADER):
    return ("\r\n".join([header, *rows]) + "\r\n").encode("utf-8-sig")


def test_a_hand_written_danish_csv_imports(rep, company_a):
    inventory = services.inventory_create(company=company_a, year=2023)
    content = danish_csv(
        "2;s2_electricity;El;activity;1.234,5;MWh;electricity;2023;;;ja;;",
        "1;s1_livestock;Køer;direct;;;;;;;;2.300,25;Normtal pr. årsko",
        ";s1_mobile;Diesel;activity;48000;l;diesel;;;;nej;;",  # factor_year empty: the year's
    )
    response = import_file(rep, inventory, "regnskab.csv", content)
    assert response.status_code == 302, body(response)
    inventory.refresh_from_db()
    electricity = inventory.lines.get(category=Category.ELECTRICITY)
    assert electricity.quantity == Decimal("1234.5") and electricity.guarantees_of_origin
    assert electricity.tonnes_market == 0
    assert inventory.lines.get(category=Category.LIVESTOCK).tonnes_direct == Decimal("2300.25")
    assert inventory.lines.get(category=Category.MOBILE).factor_year == 2023
    assert inventory.scope1_t == Decimal("2300.25") + Decimal("123.36")


@pytest.mark.parametrize("header", [DANISH_HEADER, ENGLISH_HEADER.replace(",", ";")])
def test_a_csv_with_headers_in_either_language_imports(rep, company_a, header):
    inventory = services.inventory_create(company=company_a, year=2023)
    content = danish_csv("1;s1_livestock;Køer;direct;;;;;;;;2.300,25;Normtal", header=header)
    assert import_file(rep, inventory, "regnskab.csv", content).status_code == 302
    assert inventory.lines.get().tonnes_direct == Decimal("2300.25")


def test_windows_1252_csv_from_excel_imports(rep, company_a):
    inventory = services.inventory_create(company=company_a, year=2023)
    content = (HEADER + "\r\n1;s1_livestock;Køer og kvier;direct;;;;;;;;10;Normtal\r\n").encode(
        "cp1252"
    )
    assert import_file(rep, inventory, "excel.csv", content).status_code == 302
    assert inventory.lines.get().description == "Køer og kvier"


def test_every_row_is_checked_and_errors_name_the_row(rep, full_year):
    before = snapshot(full_year)
    content = danish_csv(
        "2;s2_electricity;El;activity;100;MWh;electricity;2023;;;;;",
        "1;s9_nothing;Ukendt;activity;100;MWh;electricity;2023;;;;;",
        "2;s2_electricity;Negativ;activity;-5;MWh;electricity;2023;;;;;",
        "2;s2_electricity;Forkert enhed;activity;100;kg;electricity;2023;;;;;",
        "1;s1_livestock;Uden note;direct;;;;;;;;10;",
        "2;s2_electricity;Absurd;activity;2000000000000;kWh;electricity;2023;;;;;",
        "1;s1_livestock;Absurde ton;direct;;;;;;;;2000000000;Note",
        "2;s2_electricity;Intet år;activity;100;MWh;electricity;2019;;;;;",
        "3;s2_electricity;Forkert scope;activity;100;MWh;electricity;2023;;;;;",
        "1;s1_mobile;Tal;activity;mange;l;diesel;2023;;;;;",
    )
    response = import_file(rep, full_year, "fejl.csv", content, prefix="/en")
    assert response.status_code == 400
    page = body(response)
    assert "9 rows have errors (see below). Nothing was imported." in page
    expected = {
        3: "is not a category code",
        4: "The quantity cannot be negative.",
        5: "kg does not fit",
        6: "Say how the tonnes were calculated.",
        7: "The quantity is implausibly large",
        8: "More than a billion tonnes CO2e on one line is not plausible.",
        9: "The library has no factor for Electricity, location-based (Danish average) in 2019",
        10: "belongs to scope 2, not 3",
        11: "“mange” is not a number",
    }
    for row, message in expected.items():
        cell = page.split(f"Row {row}</th>", 1)[1].split("</tr>", 1)[0]
        assert message in cell, (row, cell)
    assert "Row 2</th>" not in page
    assert snapshot(full_year) == before


def test_rows_with_errors_are_listed_in_danish(rep, company_a):
    inventory = services.inventory_create(company=company_a, year=2023)
    content = danish_csv("2;s2_electricity;El;activity;-1;MWh;electricity;2023;;;;;")
    page = body(import_file(rep, inventory, "fejl.csv", content))
    assert "Række 2</th>" in page and "Mængden kan ikke være negativ." in page
    assert "1 række har fejl (se nedenfor). Intet blev importeret." in page


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("rapport.pdf", b"%PDF-1.4 not a spreadsheet", "Upload a CSV or XLSX file"),
        ("linjer.txt", b"scope;category", "Upload a CSV or XLSX file"),
        ("forklaedt.csv", b"PK\x03\x04 a zip file", "This is not a CSV file."),
        ("forklaedt.csv", b"%PDF-1.4 a pdf", "This is not a CSV file."),
        ("damaged.xlsx", b"not a workbook at all", "The XLSX file cannot be read."),
        ("tom.csv", b"", "The file is empty."),
        ("kun-overskrift.csv", HEADER.encode(), "The file has a header row but no lines below it."),
        (
            "forkert.csv",
            b"navn;beloeb\r\nEl;100\r\n",
            "The first row must hold the column names of the export. Missing: Category",
        ),
        (
            "stor.csv",
            HEADER.encode() + b"\r\n" + b"x" * (2 * 1024 * 1024 + 1),
            "The file is larger than 2 MB.",
        ),
    ],
)
def test_unusable_files_are_refused_and_nothing_changes(rep, full_year, name, content, message):
    before = snapshot(full_year)
    response = import_file(rep, full_year, name, content, prefix="/en")
    assert response.status_code == 400
    assert message in body(response)
    assert snapshot(full_year) == before


def test_an_xlsx_with_wrong_headers_is_refused(rep, full_year):
    workbook = Workbook()
    workbook.active.append(["Post", "Tekst", "Antal"])
    workbook.active.append(["s2_electricity", "El", 100])
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = import_file(rep, full_year, "egen.xlsx", buffer.getvalue(), prefix="/en")
    missing = "Missing: Category, Description, Method, Quantity, Unit, Activity, Tonnes CO2e"
    assert missing in body(response)


def test_an_import_from_a_stale_page_is_refused(rep, full_year):
    before_version = full_year.version
    export = rep.get(year_url(full_year, "export.csv")).content
    direct_line(full_year, "1", "Ny linje imens")
    before = snapshot(full_year)
    upload = SimpleUploadedFile("linjer.csv", export)
    response = rep.post(
        year_url(full_year, "import/", prefix="/en"), {"file": upload, "version": before_version}
    )
    assert response.status_code == 400
    assert "Someone else saved changes after you opened this page." in body(response)
    assert snapshot(full_year) == before


def test_an_import_into_an_approved_year_is_refused(rep, alliance, full_year):
    export = rep.get(year_url(full_year, "export.csv")).content
    approve(full_year.company, 2023, alliance)
    before = snapshot(full_year)
    response = rep.post(
        year_url(full_year, "import/"),
        {"file": SimpleUploadedFile("l.csv", export), "version": full_year.version},
        follow=True,
    )
    assert "Tallene for 2023 er godkendt og kan ikke ændres." in body(response)
    assert snapshot(full_year) == before


def test_a_save_that_fails_midway_saves_nothing(rep, full_year, monkeypatch):
    """All lines are replaced in one transaction: if the last line cannot be saved, the
    earlier ones are rolled back and the old lines are still there."""
    before = snapshot(full_year)
    export = rep.get(year_url(full_year, "export.csv")).content
    original = InventoryLine.save
    calls = []

    def failing_save(self, *args, **kwargs):
        calls.append(self.description)
        if len(calls) == 7:
            raise RuntimeError("disk full")
        return original(self, *args, **kwargs)

    monkeypatch.setattr(InventoryLine, "save", failing_save)
    with pytest.raises(RuntimeError):
        import_file(rep, full_year, "linjer.csv", export)
    monkeypatch.setattr(InventoryLine, "save", original)
    assert snapshot(full_year) == before
    assert Inventory.objects.get(pk=full_year.pk).version == full_year.version


def test_others_cannot_export_or_import(client, rep_b, full_year):
    client.force_login(rep_b)
    assert client.get(year_url(full_year, "export.csv")).status_code == 404
    export = b"anything"
    assert import_file(client, full_year, "x.csv", export).status_code == 404


def test_an_unknown_format_is_not_found(rep, full_year):
    assert rep.get(year_url(full_year, "export.ods")).status_code == 404
