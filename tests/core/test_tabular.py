"""The shared spreadsheet reader and writers (klimaalliance.tabular)."""

import io
from decimal import Decimal

import pytest
from django.utils import translation
from openpyxl import Workbook, load_workbook

from klimaalliance import tabular
from klimaalliance.tabular import Sheet, SpreadsheetError

COLUMNS = ("name", "city", "amount")


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def read(content: bytes, filename="file.csv", **options):
    options = {
        "columns": COLUMNS,
        "required": ("name",),
        "max_bytes": 1024,
        "max_rows": 10,
        "missing_message": "Missing: %(missing)s.",
        **options,
    }
    return tabular.read_table(io.BytesIO(content), filename, **options)


def refusal(content: bytes, filename="file.csv", **options) -> str:
    with pytest.raises(SpreadsheetError) as error:
        read(content, filename, **options)
    return " ".join(error.value.messages)


def xlsx(*rows) -> bytes:
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# --- Reading CSV ----------------------------------------------------------------------------


@pytest.mark.parametrize("bom", [b"", b"\xef\xbb\xbf"])
def test_utf8_with_or_without_a_byte_order_mark(bom):
    table = read(bom + "name;city\r\nÆblegården;Støvring\r\n".encode())
    assert table.rows == [{"name": "Æblegården", "city": "Støvring", "row": 2}]


def test_windows_1252_from_excels_plain_csv_format():
    table = read("name;city\r\nÆrø Æbler;Ærøskøbing\r\n".encode("cp1252"))
    assert table.rows[0]["name"] == "Ærø Æbler"
    assert table.rows[0]["city"] == "Ærøskøbing"


@pytest.mark.parametrize(
    ("content", "delimiter"),
    [
        (b"name;city;amount\r\nAlfa;Aalborg;1,5\r\n", ";"),
        (b'name,city,amount\r\nAlfa,Aalborg,"1,5"\r\n', ","),
        (b"\r\nname,city\r\nAlfa,Aalborg\r\n", ","),  # found past a blank first line
    ],
)
def test_the_delimiter_is_read_from_the_header(content, delimiter):
    table = read(content)
    assert table.delimiter == delimiter
    assert table.rows[0]["name"] == "Alfa"
    assert table.rows[0]["city"] == "Aalborg"


def test_headers_are_matched_loosely_and_unknown_columns_are_ignored():
    table = read(b"Name;CITY;notes;name\r\nAlfa;Aalborg;ignored;second name\r\n")
    assert table.rows == [{"name": "Alfa", "city": "Aalborg", "row": 2}]


def test_unknown_columns_can_be_refused():
    message = refusal(b"name;notes\r\nAlfa;x\r\n", unknown_message="Unknown: %(unknown)s.")
    assert message == "Unknown: notes."


def test_rows_keep_the_number_the_spreadsheet_shows():
    table = read(b"name;city\r\n\r\nAlfa;Aalborg\r\n;\r\nBeta\r\n")
    assert [(row["row"], row["name"], row["city"]) for row in table.rows] == [
        (3, "Alfa", "Aalborg"),
        (5, "Beta", ""),
    ]


# --- Refusals -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("filename", "content", "message"),
    [
        ("file.pdf", b"name\r\nAlfa\r\n", "Upload a CSV or XLSX file"),
        ("file.csv", b"", "The file is empty."),
        ("file.csv", b"\r\n;;\r\n", "The file is empty."),
        ("file.csv", b"PK\x03\x04 a zip", "This is not a CSV file."),
        ("file.csv", b"%PDF-1.7", "This is not a CSV file."),
        ("file.csv", b"name\x00\r\n", "This is not a CSV file."),
        ("file.xlsx", b"name;city\r\n", "The XLSX file cannot be read."),
        ("file.csv", b"city;amount\r\nAalborg;1\r\n", "Missing: name."),
    ],
)
def test_unusable_files_are_refused_with_a_clear_message(filename, content, message):
    assert message in refusal(content, filename)


def test_a_header_without_rows_is_refused_only_when_asked():
    assert read(b"name;city\r\n").rows == []
    assert refusal(b"name;city\r\n", no_rows_message="No rows.") == "No rows."


def test_too_large_by_the_declared_size_or_by_reading():
    uploaded = io.BytesIO(b"name\r\nAlfa\r\n")
    uploaded.size = 2 * 1024 * 1024
    with pytest.raises(SpreadsheetError, match="larger than 1 MB"):
        tabular.read_table(
            uploaded,
            "big.csv",
            columns=COLUMNS,
            required=("name",),
            max_bytes=1024 * 1024,
            max_rows=10,
            missing_message="",
        )
    with pytest.raises(SpreadsheetError) as error:
        read(b"name\r\n" + b"x" * 1024)  # no size given: read up to the limit
    assert error.value.code == "size"


def test_too_many_rows():
    content = b"name\r\n" + b"Alfa\r\n" * 11
    assert "more than 10 rows" in refusal(content)
    assert len(read(content, max_rows=11).rows) == 11


def test_an_xlsx_beyond_the_row_limit_is_refused():
    content = xlsx(["name"], *[[f"Firma {n}"] for n in range(11)])
    assert "more than 10 rows" in refusal(content, "many.xlsx", max_bytes=1024 * 1024)


# --- Writing and reading back ---------------------------------------------------------------

FORMULAS = ["=1+2", "+45 12 34 56 78", "-minus", "@SUM(A1)", "\tTab", "\rReturn"]


def test_csv_is_utf8_with_bom_semicolons_and_crlf():
    content = tabular.write_csv(COLUMNS, [{"name": "Æble; ApS", "city": "Støvring"}])
    assert content.startswith(b"\xef\xbb\xbf")
    assert content.decode("utf-8-sig") == 'name;city;amount\r\n"Æble; ApS";Støvring;\r\n'


def test_csv_defuses_formulas_and_reading_restores_them():
    rows = [[value, "", ""] for value in FORMULAS]
    content = tabular.write_csv(COLUMNS, rows)
    written = content.decode("utf-8-sig")
    assert "'=1+2" in written and "'@SUM(A1)" in written and "'-minus" in written
    assert [row["name"] for row in read(content).rows] == FORMULAS


def test_csv_numbers_are_plain_with_the_decimal_mark_and_never_defused():
    rows = [["a", "", Decimal("1234.500")], ["b", "", Decimal("-5")], ["c", "", 7], ["d", "", None]]
    content = tabular.write_csv(COLUMNS, rows, delimiter=",", decimal_mark=",")
    assert content.decode("utf-8-sig").splitlines()[1:] == ['a,,"1234,5"', "b,,-5", "c,,7", "d,,"]


def test_an_apostrophe_before_other_text_is_kept():
    assert tabular.restore("'tis") == "'tis"
    assert tabular.restore("'42") == "'42"


def test_xlsx_keeps_formulas_as_text_and_numbers_as_numbers():
    content = tabular.write_xlsx(
        Sheet("data", COLUMNS, [{"name": "=1+2", "city": "0800", "amount": Decimal("2.50")}]),
        Sheet("codes", ("code", "meaning"), [["A", "Landbrug"]]),
    )
    workbook = load_workbook(io.BytesIO(content))
    assert workbook.sheetnames == ["data", "codes"]
    name, city, amount = workbook["data"][2]
    assert (name.value, name.data_type) == ("=1+2", "s")
    assert (city.value, city.number_format) == ("0800", "@")
    assert amount.value == 2.5 and amount.data_type == "n"
    assert workbook["data"].freeze_panes == "A2"

    table = read(content, "data.xlsx", max_bytes=1024 * 1024)
    assert table.delimiter is None
    assert table.rows == [{"name": "=1+2", "city": "0800", "amount": "2.5", "row": 2}]


def test_xlsx_of_formula_text_round_trips():
    rows = [[value, "", None] for value in FORMULAS]
    content = tabular.write_xlsx(Sheet("data", COLUMNS, rows))
    names = [row["name"] for row in read(content, "x.xlsx", max_bytes=1024 * 1024).rows]
    assert names == [value.strip() for value in FORMULAS]


def test_an_empty_template_has_the_header_row_only():
    content = tabular.write_xlsx(Sheet("data", COLUMNS, []))
    sheet = load_workbook(io.BytesIO(content)).worksheets[0]
    assert [cell.value for cell in sheet[1]] == list(COLUMNS)
    assert sheet.max_row == 1
    assert tabular.write_csv(COLUMNS, []).decode("utf-8-sig") == "name;city;amount\r\n"


def test_download_is_a_private_attachment():
    response = tabular.download(b"x", "xlsx", "medlemmer-2025")
    assert response["Content-Type"] == tabular.FORMATS["xlsx"]
    assert response["Content-Disposition"] == 'attachment; filename="medlemmer-2025.xlsx"'
    assert response["Cache-Control"] == "private, no-store"
