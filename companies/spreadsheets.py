"""Companies as spreadsheets: one column layout for the member export, the import template
and the import itself, so a list can go out, be edited in Excel and come back.

Files have a header row of the English column keys (stable machine names, never translated).
CSV is written UTF-8 with a byte-order mark and ";" as delimiter, because that is what Excel
with Danish regional settings opens correctly (Danish letters intact, one value per column);
the reader accepts "," as well and falls back to Windows-1252, which is what Excel's plain
"CSV" format saves in.
"""

import csv
import datetime
import io
import logging
import time
from dataclasses import dataclass, field
from pathlib import PurePath

from django import forms
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from openpyxl import Workbook, load_workbook
from openpyxl.cell.cell import TYPE_STRING
from openpyxl.utils import get_column_letter

from .industries import Industry, SizeBand
from .models import Company, Membership
from .services import membership_add
from .validators import validate_cvr, validate_postcode

logger = logging.getLogger(__name__)

COMPANY_COLUMNS = (
    "cvr",
    "legal_name",
    "display_name",
    "industry",
    "sub_industry",
    "size_band",
    "address",
    "postcode",
    "city",
    "website",
)
MEMBERSHIP_COLUMNS = ("status", "joined_on")
COLUMNS = COMPANY_COLUMNS + MEMBERSHIP_COLUMNS
REQUIRED_COLUMNS = ("cvr", "legal_name", "industry")

FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_ROWS = 20_000
PROGRESS_EVERY = 100
CSV_DELIMITER = ";"
# Excel runs a cell starting with one of these as a formula; CSV export quotes them with an
# apostrophe (OWASP's advice) and the reader removes that apostrophe again.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
DATE_FORMATS = ("%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y", "%d/%m/%Y")


class SpreadsheetError(ValidationError):
    """The uploaded file as a whole cannot be used (wrong type, empty, too big, no headers)."""


class ImportFailed(Exception):
    """The import stopped; the transaction was rolled back, so nothing was saved."""


# --- Writing -----------------------------------------------------------------------------


def membership_row(membership: Membership) -> dict:
    """One membership as a row of `COLUMNS`, every value a string."""
    company = membership.company
    row = {key: getattr(company, key) or "" for key in COMPANY_COLUMNS}
    row["status"] = membership.status
    row["joined_on"] = membership.joined_on.isoformat() if membership.joined_on else ""
    return row


def write_csv(rows) -> bytes:
    """`rows` (dicts keyed by `COLUMNS`) as a semicolon-separated UTF-8 CSV with BOM."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=CSV_DELIMITER, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for row in rows:
        writer.writerow([_defuse_formula(str(row.get(key, ""))) for key in COLUMNS])
    return buffer.getvalue().encode("utf-8-sig")


def write_xlsx(rows, *, with_reference=False) -> bytes:
    """`rows` as an XLSX workbook; every cell is text so CVR numbers and postcodes keep
    their leading zeros and nothing is read as a formula.

    `with_reference` adds a second sheet "industries" listing the DB07 sections and the
    allowed size bands and statuses, in the active language.
    """
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "companies"
    sheet.append(COLUMNS)
    for row in rows:
        sheet.append([str(row.get(key, "")) for key in COLUMNS])
    for cells in sheet.iter_rows(min_row=2):
        for cell in cells:
            cell.data_type = TYPE_STRING
            cell.number_format = "@"
    for index, key in enumerate(COLUMNS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = max(12, len(key) + 4)
    sheet.freeze_panes = "A2"
    if with_reference:
        _add_reference_sheet(workbook)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _add_reference_sheet(workbook):
    sheet = workbook.create_sheet("industries")
    sheet.append(["column", "code", "name"])
    for choices, column in ((Industry, "industry"), (SizeBand, "size_band")):
        for value, label in choices.choices:
            sheet.append([column, value, str(label)])
    for value, label in Membership.Status.choices:
        sheet.append(["status", value, str(label)])
    sheet.column_dimensions["C"].width = 55


def _defuse_formula(value: str) -> str:
    return f"'{value}" if value.startswith(FORMULA_STARTS) else value


def _restore_formula(value: str) -> str:
    if value.startswith("'") and value[1:].startswith(FORMULA_STARTS):
        return value[1:]
    return value


# --- Reading -----------------------------------------------------------------------------


def read_rows(uploaded_file, filename: str) -> list[dict]:
    """The data rows of an uploaded CSV or XLSX file as dicts of the known columns.

    Each dict also holds "row": the row number the spreadsheet shows (the header is row 1).
    Blank rows are skipped; unknown columns are ignored. Values are stripped strings.
    Raises SpreadsheetError with a message for the user when the file cannot be used.
    """
    extension = PurePath(filename or "").suffix.lower()
    if extension not in (".csv", ".xlsx"):
        raise SpreadsheetError(
            _("Upload a CSV or XLSX file (the file name must end in .csv or .xlsx)."),
            code="extension",
        )
    size = getattr(uploaded_file, "size", None)
    if size is not None and size > MAX_FILE_BYTES:
        raise _too_large()
    uploaded_file.seek(0)
    records = _xlsx_records(uploaded_file) if extension == ".xlsx" else _csv_records(uploaded_file)
    return _rows_from_records(records)


def _too_large():
    return SpreadsheetError(
        _("The file is larger than %(max)d MB. Split it into smaller files."),
        params={"max": MAX_FILE_BYTES // (1024 * 1024)},
        code="size",
    )


def _csv_records(uploaded_file):
    data = uploaded_file.read(MAX_FILE_BYTES + 1)
    if len(data) > MAX_FILE_BYTES:
        raise _too_large()
    if b"\x00" in data or data.startswith(b"PK\x03\x04"):
        raise SpreadsheetError(
            _("This is not a CSV file. Save the spreadsheet as CSV or XLSX and try again."),
            code="not_csv",
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Excel's plain "CSV" format (not "CSV UTF-8") saves in Windows-1252.
        text = data.decode("cp1252", errors="replace")
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") >= first_line.count(",") else ","
    try:
        for record in csv.reader(io.StringIO(text), delimiter=delimiter):
            yield [_restore_formula(value) for value in record]
    except csv.Error as exc:
        raise SpreadsheetError(
            _("The CSV file cannot be read: %(error)s"), params={"error": exc}, code="csv"
        ) from exc


def _xlsx_records(uploaded_file):
    workbook = None
    try:
        workbook = load_workbook(uploaded_file, read_only=True, data_only=True)
        for values in workbook.worksheets[0].iter_rows(values_only=True):
            yield [_cell_text(value) for value in values]
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


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return value.date().isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _rows_from_records(records) -> list[dict]:
    header = None
    rows = []
    for number, record in enumerate(records, start=1):
        values = [value.strip() for value in record]
        if header is None:
            header = _check_header(values)
            continue
        if not any(values):
            continue
        if len(rows) >= MAX_ROWS:
            raise SpreadsheetError(
                _("The file has more than %(max)d rows. Split it into smaller files."),
                params={"max": MAX_ROWS},
                code="rows",
            )
        row = {key: values[i] if i < len(values) else "" for key, i in header.items()}
        row["row"] = number
        rows.append(row)
    if header is None:
        raise SpreadsheetError(_("The file is empty."), code="empty")
    if not rows:
        raise SpreadsheetError(
            _("The file has a header row but no companies below it."), code="no_rows"
        )
    return rows


def _check_header(values) -> dict:
    """Map each known column key to its position; raise if a required column is missing."""
    positions = {}
    for index, value in enumerate(values):
        key = value.lower().replace(" ", "_")
        if key in COLUMNS and key not in positions:
            positions[key] = index
    missing = [key for key in REQUIRED_COLUMNS if key not in positions]
    if missing:
        raise SpreadsheetError(
            _(
                "The first row must hold the column names. Missing: %(missing)s. "
                "Download the template to see the columns."
            ),
            params={"missing": ", ".join(missing)},
            code="header",
        )
    return positions


# --- Validating --------------------------------------------------------------------------


@dataclass
class RowResult:
    """One spreadsheet row checked for import: cleaned values, errors and what will happen."""

    row: int
    values: dict
    errors: list = field(default_factory=list)
    company: Company | None = None  # set when the CVR is already in the register

    @property
    def ok(self):
        return not self.errors

    @property
    def existing(self):
        return self.company is not None


def validate_rows(alliance, rows) -> list[RowResult]:
    """Check every row for import into `alliance`; returns one RowResult per row.

    Errors: bad or missing CVR, missing legal name, unknown industry, size band or status,
    bad postcode, website or date, over-long text, a CVR twice in the file and a company
    that is already a member of `alliance`. A CVR already in the register (but not a member)
    is fine: that company will be added as a member.
    """
    results = [_clean_row(row) for row in rows]
    _mark_duplicates(results)
    _match_register(alliance, results)
    return results


def _clean_row(row) -> RowResult:
    result = RowResult(row=row.get("row", 0), values={})
    for key in COLUMNS:
        value = (row.get(key) or "").strip()
        cleaner = CLEANERS.get(key, _clean_text)
        try:
            result.values[key] = cleaner(key, value)
        except ValidationError as exc:
            result.values[key] = value
            result.errors.extend(exc.messages)
    return result


def _clean_cvr(key, value):
    if not value:
        raise ValidationError(_("The CVR number is missing."))
    compact = value.replace(" ", "").replace("-", "")
    validate_cvr(compact)
    return compact


def _clean_text(key, value):
    field_ = Company._meta.get_field(key)
    if not value and not field_.blank:
        raise ValidationError(
            _("The %(column)s is missing."), params={"column": field_.verbose_name}
        )
    if len(value) > field_.max_length:
        raise ValidationError(
            _("The %(column)s is longer than %(max)d characters."),
            params={"column": field_.verbose_name, "max": field_.max_length},
        )
    return value


def _clean_industry(key, value):
    if not value:
        raise ValidationError(_("The industry is missing: use a DB07 section letter A–U."))
    if value.upper() not in Industry.values:
        raise ValidationError(
            _("Unknown industry “%(value)s”: use a DB07 section letter A–U."),
            params={"value": value},
        )
    return value.upper()


def _clean_size_band(key, value):
    if value and value not in SizeBand.values:
        raise ValidationError(
            _("Unknown size “%(value)s”: use one of %(allowed)s or leave it empty."),
            params={"value": value, "allowed": ", ".join(SizeBand.values)},
        )
    return value


def _clean_postcode(key, value):
    # Excel drops the leading zero of postcodes such as 0800 when it reads a CSV.
    if len(value) == 3 and value.isdigit():
        value = f"0{value}"
    validate_postcode(value)
    return value


def _clean_website(key, value):
    if not value:
        return ""
    return forms.URLField(max_length=200, assume_scheme="https").clean(value)


def _clean_status(key, value):
    if not value:
        return Membership.Status.PROSPECT
    if value.lower() not in Membership.Status.values:
        raise ValidationError(
            _("Unknown status “%(value)s”: use one of %(allowed)s or leave it empty."),
            params={"value": value, "allowed": ", ".join(Membership.Status.values)},
        )
    return value.lower()


def _clean_date(key, value):
    if not value:
        return None
    for date_format in DATE_FORMATS:
        try:
            return datetime.date(*time.strptime(value, date_format)[:3])
        except ValueError:
            continue
    raise ValidationError(
        _("“%(value)s” is not a date: write it as YYYY-MM-DD, e.g. 2025-03-31."),
        params={"value": value},
    )


CLEANERS = {
    "cvr": _clean_cvr,
    "industry": _clean_industry,
    "size_band": _clean_size_band,
    "postcode": _clean_postcode,
    "website": _clean_website,
    "status": _clean_status,
    "joined_on": _clean_date,
}


def _mark_duplicates(results):
    first_row = {}
    for result in results:
        cvr = result.values["cvr"]
        if not cvr:
            continue
        if cvr in first_row:
            result.errors.append(
                _("CVR number %(cvr)s is also in row %(row)d.")
                % {"cvr": cvr, "row": first_row[cvr]}
            )
        else:
            first_row[cvr] = result.row


def _match_register(alliance, results):
    """Attach register companies to rows by CVR; a row whose company is a member errs."""
    cvrs = {r.values["cvr"] for r in results if r.values["cvr"]}
    companies = {}
    members = set()
    cvr_list = sorted(cvrs)
    # Chunked so SQLite's limit on query parameters is never reached.
    for start in range(0, len(cvr_list), 1000):
        chunk = cvr_list[start : start + 1000]
        companies.update({c.cvr: c for c in Company.objects.filter(cvr__in=chunk)})
        members.update(
            Membership.objects.filter(alliance=alliance, company__cvr__in=chunk).values_list(
                "company__cvr", flat=True
            )
        )
    for result in results:
        cvr = result.values["cvr"]
        if cvr in members:
            result.errors.append(
                _("CVR number %(cvr)s is already a member of this alliance.") % {"cvr": cvr}
            )
        elif cvr in companies:
            result.company = companies[cvr]


# --- Importing ---------------------------------------------------------------------------


def import_rows(alliance, rows, by=None, progress=None) -> int:
    """Import `rows` into `alliance` all-or-nothing and return the number of new members.

    New CVR numbers become companies; every row becomes a membership with the row's status
    (prospect if empty). Everything happens in one transaction: if any row has an error or
    cannot be saved, ImportFailed is raised and nothing is saved. `progress(done, total)` is
    called every `PROGRESS_EVERY` rows and once at the end.
    """
    total = len(rows)
    with transaction.atomic():
        results = validate_rows(alliance, rows)
        invalid = [r.row for r in results if r.errors]
        if invalid:
            raise ImportFailed(
                ngettext(
                    "%(count)d row has errors (row %(row)d). Nothing was imported.",
                    "%(count)d rows have errors (the first is row %(row)d). Nothing was imported.",
                    len(invalid),
                )
                % {"count": len(invalid), "row": invalid[0]}
            )
        for done, result in enumerate(results, start=1):
            try:
                _import_row(alliance, result, by)
            except ValidationError as exc:
                raise ImportFailed(
                    _("Row %(row)d could not be saved: %(error)s. Nothing was imported.")
                    % {"row": result.row, "error": " ".join(exc.messages)}
                ) from exc
            if progress and (done % PROGRESS_EVERY == 0 or done == total):
                progress(done, total)
    return total


def _import_row(alliance, result: RowResult, by):
    values = result.values
    company = result.company
    if company is None:
        company = Company(**{key: values[key] for key in COMPANY_COLUMNS})
        company.full_clean()
        company.save()
    membership = membership_add(alliance=alliance, company=company, by=by, status=values["status"])
    if values["joined_on"] and membership.joined_on != values["joined_on"]:
        membership.joined_on = values["joined_on"]
        membership.save(update_fields=["joined_on"])


FILE_HELP = gettext_lazy(
    "A CSV or XLSX file of at most 5 MB and 20,000 rows. The first row holds the column "
    "names of the template."
)


class ImportFileForm(forms.Form):
    """The upload form; a valid form holds the file's parsed rows in `rows`."""

    file = forms.FileField(
        label=gettext_lazy("Spreadsheet with companies"),
        help_text=FILE_HELP,
        widget=forms.FileInput(attrs={"accept": ".csv,.xlsx"}),
        allow_empty_file=True,  # read_rows explains an empty file better
    )

    def clean_file(self):
        uploaded = self.cleaned_data["file"]
        self.rows = read_rows(uploaded, uploaded.name)
        uploaded.seek(0)
        return uploaded
