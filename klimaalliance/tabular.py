"""Spreadsheets in and out: uploaded CSV or XLSX read into rows, and rows written as CSV or
XLSX for Excel. The features keep their columns and what a row means; this module knows
files.

Reading accepts what people's Excel saves: CSV in UTF-8 with or without a byte-order mark,
else Windows-1252 (Excel's plain "CSV" format), with ";" (Danish regional settings) or ","
between values, read from the header row; or an XLSX workbook's first sheet. Every row keeps
the number the spreadsheet shows, because that is how errors are reported to the user.

Writing builds tablib datasets and exports them. CSV is UTF-8 with a byte-order mark and ";"
by default, which Excel with Danish settings opens with Danish letters intact and one value
per column. Reading does not go through tablib's importers: they drop blank CSV lines, so
the row numbers in error messages would be wrong, and they refuse a row longer than the
header; the csv module and openpyxl (tablib's own XLSX engine) are read directly instead.

Excel runs a cell that starts with = + - @, a tab or a carriage return as a formula (CSV
injection). CSV cells that start so get an apostrophe, as OWASP advises, and the reader
removes it again. XLSX needs no apostrophe: such text is stored as a text cell, which Excel
never runs.

This module is part of the tenant core: it imports no feature app.
"""

import csv
import datetime
import io
import logging
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import closing
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import PurePath
from typing import NamedTuple

import tablib
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.utils.translation import gettext as _
from openpyxl import load_workbook
from openpyxl.cell.cell import TYPE_FORMULA, TYPE_STRING
from openpyxl.utils import get_column_letter
from tablib.formats import registry

from .filenames import attachment

logger = logging.getLogger(__name__)

FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# Formats that are neither CSV nor text, which people upload by mistake.
NOT_TEXT_STARTS = (b"PK\x03\x04", b"%PDF")


class SpreadsheetError(ValidationError):
    """The uploaded file as a whole cannot be used: wrong type, too big, empty or wrong
    headers. The message is for the user."""


# --- Formulas -------------------------------------------------------------------------------


def defuse(value: str) -> str:
    """`value` with an apostrophe in front if Excel would run it as a formula."""
    return f"'{value}" if value.startswith(FORMULA_STARTS) else value


def restore(value: str) -> str:
    """Undo `defuse`: "'=1+2" becomes "=1+2"; any other apostrophe stays."""
    if value.startswith("'") and value[1:].startswith(FORMULA_STARTS):
        return value[1:]
    return value


def plain_decimal(value: Decimal) -> str:
    """A Decimal without exponent or trailing zeros: 2900.000 → "2900", 0.50 → "0.5"."""
    return format(value.normalize(), "f")


# --- Reading --------------------------------------------------------------------------------


@dataclass
class Table:
    """The data rows of an uploaded file.

    Each row is a dict of the known columns found in the header, plus "row": the number
    the spreadsheet shows (the header is row 1). `delimiter` is the CSV's separator, or
    None for XLSX.
    """

    rows: list[dict]
    delimiter: str | None


def cell_text(value) -> str:
    """An XLSX cell as text: dates as YYYY-MM-DD, 12.0 as "12", empty as ""."""
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return value.date().isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def read_table(
    uploaded_file,
    filename: str,
    *,
    columns: Sequence[str],
    required: Sequence[str],
    max_bytes: int,
    max_rows: int,
    missing_message: str,
    no_rows_message: str | None = None,
    unknown_message: str | None = None,
    cell: Callable = cell_text,
    aliases: Mapping[str, str] | None = None,
    label: Callable = str,
) -> Table:
    """The rows of an uploaded CSV or XLSX file, read by its header row.

    Header names are matched to `columns` ignoring case, with spaces read as "_", or through
    `aliases` (casefolded header text → column, e.g. translated column names). Blank rows
    are skipped and values are stripped. XLSX cells are turned into values by `cell` (text
    by default); CSV values stay text.

    Raises SpreadsheetError when the file cannot be used: wrong extension, more than
    `max_bytes` or `max_rows`, not a spreadsheet, empty, or a column of `required` missing
    (`missing_message`, with %(missing)s). With `no_rows_message`, a file without data rows
    is refused too; with `unknown_message` (%(unknown)s), so is a header column that is not
    one of `columns`, which is otherwise ignored. Missing columns are named by `label(key)`
    (the column's name in the active language).
    """
    extension = PurePath(filename or "").suffix.lower()
    if extension not in (".csv", ".xlsx"):
        raise SpreadsheetError(
            _("Upload a CSV or XLSX file (the file name must end in .csv or .xlsx)."),
            code="extension",
        )
    data = _read_limited(uploaded_file, max_bytes)
    header = _Header(columns, required, missing_message, unknown_message, aliases or {}, label)
    if extension == ".xlsx":
        delimiter = None
        records = _xlsx_records(data, cell)
    else:
        if b"\x00" in data or data.startswith(NOT_TEXT_STARTS):
            raise SpreadsheetError(
                _("This is not a CSV file. Save the spreadsheet as CSV or XLSX and try again."),
                code="not_csv",
            )
        text = decode_csv(data)
        delimiter = sniff_delimiter(text)
        records = _csv_records(text, delimiter)
    with closing(records):
        rows = _rows(records, header, max_rows)
    if not rows and no_rows_message:
        raise SpreadsheetError(no_rows_message, code="no_rows")
    return Table(rows, delimiter)


def decode_csv(data: bytes) -> str:
    """CSV bytes as text: UTF-8 (the byte-order mark dropped), else Windows-1252."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Excel's plain "CSV" format (not "CSV UTF-8") saves in Windows-1252.
        return data.decode("cp1252", errors="replace")


def sniff_delimiter(text: str) -> str:
    """The CSV's delimiter: "," if the first non-blank line (the header) has more commas
    than semicolons, else ";" as Danish Excel writes it."""
    first_line = next((line for line in text.splitlines() if line.strip()), "")
    return "," if first_line.count(",") > first_line.count(";") else ";"


def _too_large(max_bytes):
    return SpreadsheetError(
        _("The file is larger than %(max)d MB. Split it into smaller files."),
        params={"max": max_bytes // (1024 * 1024)},
        code="size",
    )


def _read_limited(uploaded_file, max_bytes) -> bytes:
    size = getattr(uploaded_file, "size", None)
    if size is not None and size > max_bytes:
        raise _too_large(max_bytes)
    uploaded_file.seek(0)
    data = uploaded_file.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise _too_large(max_bytes)
    return data


def _csv_records(text, delimiter) -> Iterator[list]:
    try:
        yield from csv.reader(io.StringIO(text), delimiter=delimiter)
    except csv.Error as exc:
        raise SpreadsheetError(
            _("The CSV file cannot be read: %(error)s"), params={"error": exc}, code="csv"
        ) from exc


def _xlsx_records(data, cell) -> Iterator[list]:
    """The first sheet's rows, streamed, so a file beyond the row limit stops early."""
    workbook = None
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        for values in workbook.worksheets[0].iter_rows(values_only=True):
            yield [cell(value) for value in values]
    # openpyxl raises many kinds of exceptions on damaged or disguised files; to the user
    # they all mean the same thing.
    except Exception as exc:
        logger.info("Unreadable XLSX upload: %r", exc)
        raise SpreadsheetError(
            _("The XLSX file cannot be read. Open it in Excel, save it again and retry."),
            code="xlsx",
        ) from exc
    finally:
        if workbook is not None:
            workbook.close()


@dataclass(frozen=True)
class _Header:
    columns: Sequence[str]
    required: Sequence[str]
    missing_message: str
    unknown_message: str | None
    aliases: Mapping[str, str] = field(default_factory=dict)
    label: Callable = str

    def positions(self, values) -> dict:
        """Each known column's position in the header row; the first one wins."""
        positions = {}
        unknown = []
        for index, value in enumerate(values):
            text = str(value).strip()
            key = self.aliases.get(text.casefold()) or text.lower().replace(" ", "_")
            if key in self.columns:
                positions.setdefault(key, index)
            elif key:
                unknown.append(str(value))
        missing = [key for key in self.required if key not in positions]
        if missing:
            raise SpreadsheetError(
                self.missing_message,
                params={"missing": ", ".join(self.label(key) for key in missing)},
                code="header",
            )
        if unknown and self.unknown_message:
            raise SpreadsheetError(
                self.unknown_message, params={"unknown": ", ".join(unknown)}, code="unknown"
            )
        return positions


def _is_blank(values) -> bool:
    # Not `any(values)`: a cell holding the number 0 is not blank.
    return all(value in ("", None) for value in values)


def _rows(records, header: _Header, max_rows) -> list[dict]:
    positions = None
    rows = []
    for number, record in enumerate(records, start=1):
        values = [restore(value.strip()) if isinstance(value, str) else value for value in record]
        if _is_blank(values):
            continue
        if positions is None:
            positions = header.positions(values)
            continue
        if len(rows) >= max_rows:
            raise SpreadsheetError(
                _("The file has more than %(max)d rows. Split it into smaller files."),
                params={"max": max_rows},
                code="rows",
            )
        row = {key: values[i] if i < len(values) else "" for key, i in positions.items()}
        row["row"] = number
        rows.append(row)
    if positions is None:
        raise SpreadsheetError(_("The file is empty."), code="empty")
    return rows


# --- Writing --------------------------------------------------------------------------------


class Sheet(NamedTuple):
    """One worksheet to write: rows are mappings keyed by `headers` (a missing key is an
    empty cell) or sequences in the order of `headers`."""

    title: str
    headers: Sequence[str]
    rows: Iterable


def _dataset(headers, rows, title="") -> tablib.Dataset:
    dataset = tablib.Dataset(headers=list(headers), title=title)
    for row in rows:
        if isinstance(row, Mapping):
            dataset.append([row.get(key) for key in headers])
        else:
            dataset.append(list(row))
    return dataset


def _is_number(value) -> bool:
    return isinstance(value, int | float | Decimal) and not isinstance(value, bool)


def write_csv(headers: Sequence[str], rows: Iterable, *, delimiter=";", decimal_mark=".") -> bytes:
    """`rows` under a header row of `headers` as CSV: UTF-8 with a byte-order mark.

    Text that Excel would run as a formula gets an apostrophe; numbers are written without
    exponent or thousands separator, with `decimal_mark`; None is an empty cell.
    """

    def text(value):
        if value is None:
            return ""
        if _is_number(value):
            number = plain_decimal(value) if isinstance(value, Decimal) else str(value)
            return number.replace(".", decimal_mark)
        return defuse(str(value))

    dataset = _dataset(headers, rows)
    dataset.add_formatter(None, text)
    content = dataset.export("csv", delimiter=delimiter, lineterminator="\r\n")
    return content.encode("utf-8-sig")


class _XLSXFormat(registry.get_format("xlsx")):
    """tablib's XLSX writer, with text kept as text (never a formula, and formatted "@" so
    a CVR number or postcode typed over it keeps its leading zero) and columns wide enough
    to read. It hooks into the writer's step per sheet, hence tablib's pinned version."""

    MIN_WIDTH = 12
    MAX_WIDTH = 60

    @classmethod
    def dset_sheet(cls, dataset, ws, freeze_panes=True, escape=False):
        super().dset_sheet(dataset, ws, freeze_panes=freeze_panes, escape=False)
        widths = [len(str(header)) + 4 for header in dataset.headers or []]
        for cells in ws.iter_rows(min_row=2):
            for cell in cells:
                if isinstance(cell.value, str):
                    if cell.data_type == TYPE_FORMULA:
                        cell.data_type = TYPE_STRING
                    cell.number_format = "@"
                if cell.value is not None and cell.column <= len(widths):
                    length = len(str(cell.value)) + 2
                    widths[cell.column - 1] = max(widths[cell.column - 1], length)
        for index, width in enumerate(widths, start=1):
            width = min(max(width, cls.MIN_WIDTH), cls.MAX_WIDTH)
            ws.column_dimensions[get_column_letter(index)].width = width


def _xlsx_cell(value):
    if isinstance(value, Decimal):
        # An integral Decimal as int keeps Excel's display tidy: 2900, not 2900.000.
        return int(value) if value == value.to_integral() else value.normalize()
    return value


def write_xlsx(*sheets: Sheet) -> bytes:
    """The sheets as one XLSX workbook: a bold, frozen header row on each; numbers stay
    numbers and text stays text."""
    book = tablib.Databook()
    for sheet in sheets:
        dataset = _dataset(sheet.headers, sheet.rows, sheet.title)
        dataset.add_formatter(None, _xlsx_cell)
        book.add_sheet(dataset)
    return _XLSXFormat.export_book(book)


def download(content: bytes, fmt: str, filename: str) -> HttpResponse:
    """`content` in `fmt` ("csv" or "xlsx") as a private download named `filename`.`fmt`."""
    response = HttpResponse(content, content_type=FORMATS[fmt])
    response["Content-Disposition"] = attachment(f"{filename}.{fmt}")
    response["Cache-Control"] = "private, no-store"
    return response
