"""The alliance's figures per company and year, as CSV and XLSX, for the city council's
DK2020 follow-up.

CSV: semicolon-separated UTF-8 with a BOM, numbers with the language's decimal mark and no
thousands separator, so Danish Excel opens it as numbers; streamed row by row. XLSX: real
numbers, CVR as text (leading zeros), written in openpyxl's write-only mode.
"""

from django.utils import formats, translation
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

from companies.industries import Industry

from .models import Report

CSV_DELIMITER = ";"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
TONNE_FIELDS = (
    "scope1_t",
    "scope2_location_t",
    "scope2_market_t",
    "scope3_t",
    "total_location_t",
    "total_market_t",
)
CHUNK = 2000


def headers() -> list[str]:
    return [
        _("Company"),
        _("CVR number"),
        _("Industry"),
        _("Year"),
        _("Baseline year"),
        _("Scope 1 (t CO2e)"),
        _("Scope 2 location-based (t CO2e)"),
        _("Scope 2 market-based (t CO2e)"),
        _("Scope 3 (t CO2e)"),
        _("Total location-based (t CO2e)"),
        _("Total market-based (t CO2e)"),
        _("Verified"),
        _("Report status"),
    ]


def _industry(code) -> str:
    try:
        return f"{code} {Industry(code).label}"
    except ValueError:
        return code


def _status(value) -> str:
    return str(Report.Status(value).label) if value else _("no reporting round")


def _text(value: str) -> str:
    """Excel must not run a company name as a formula (OWASP: CSV injection)."""
    return f"'{value}" if value.startswith(FORMULA_STARTS) else value


def values(inventory) -> list:
    """One row: text, integers and Decimals (formatted by the writer)."""
    company = inventory.company
    return [
        company.legal_name,
        company.cvr,
        _industry(company.industry),
        inventory.year,
        _("yes") if inventory.is_baseline else _("no"),
        *(getattr(inventory, name) for name in TONNE_FIELDS),
        inventory.verified_at.date().isoformat() if inventory.verified_at else "",
        _status(inventory.report_status),
    ]


def _csv_cell(value):
    if isinstance(value, str):
        return _text(value)
    if isinstance(value, int):
        return str(value)
    return formats.number_format(value, decimal_pos=3, use_l10n=True, force_grouping=False)


def csv_lines(writer, rows, language=None):
    """The BOM, the header and each row as one CSV line; `rows` is read in chunks."""
    language = language or translation.get_language()
    with translation.override(language):
        yield "\ufeff" + writer.writerow(headers())
        for inventory in rows.iterator(chunk_size=CHUNK):
            yield writer.writerow([_csv_cell(value) for value in values(inventory)])


def write_xlsx(target, rows, *, sheet_title):
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=sheet_title[:31])
    sheet.freeze_panes = "A2"
    sheet.append(headers())
    for inventory in rows.iterator(chunk_size=CHUNK):
        row = values(inventory)
        for index in (0, 1, 2):  # text, never a formula or a number
            cell = WriteOnlyCell(sheet, value=row[index])
            cell.data_type = "s"
            cell.number_format = "@"
            row[index] = cell
        for index in range(5, 5 + len(TONNE_FIELDS)):
            row[index] = float(row[index])
        sheet.append(row)
    workbook.save(target)
