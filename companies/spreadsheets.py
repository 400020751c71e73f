"""Companies as spreadsheets: one column layout for the member export, the import template
and the import itself, so a list can go out, be edited in Excel and come back.

An export speaks the language of the page it came from: its header row holds the column
names ("CVR-nummer", "Størrelse") and its cells the labels ("aktiv", "C – Fremstilling"). An
import reads either language, the codes ("active", "C") and the English column keys
(`COLUMNS`) too, so a file can go out, be edited in Excel and come back. Reading and writing
the files themselves is `klimaalliance.tabular`'s work.
"""

import datetime
import re
import time
from dataclasses import dataclass, field
from functools import cache

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import translation
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from klimaalliance import tabular

from .industries import Industry, SizeBand
from .models import Company, Membership
from .services import company_register, membership_add
from .validators import compact_cvr, validate_cvr, validate_postcode

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

MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_ROWS = 20_000
PROGRESS_EVERY = 100
DATE_FORMATS = ("%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y", "%d/%m/%Y")


class ImportFailed(Exception):
    """The import stopped; the transaction was rolled back, so nothing was saved."""


# --- Writing -----------------------------------------------------------------------------


def _model_field(key):
    model = Membership if key in MEMBERSHIP_COLUMNS else Company
    return model._meta.get_field(key)


def column_label(key) -> str:
    """The column's name in the active language: the field's verbose name."""
    return str(capfirst(_model_field(key).verbose_name))


def headers() -> list[str]:
    """The header row in the active language."""
    return [column_label(key) for key in COLUMNS]


@cache
def header_aliases() -> dict:
    """Header text (casefolded) in any of the site's languages → column key."""
    aliases = {}
    for language, _name in settings.LANGUAGES:
        with translation.override(language):
            for key in COLUMNS:
                aliases[column_label(key).casefold()] = key
    return aliases


def industry_label(code) -> str:
    return f"{code} – {Industry(code).label}" if code else ""


def membership_row(membership: Membership) -> dict:
    """One membership as a row of `COLUMNS`, every value a string in the active language."""
    company = membership.company
    row = {key: getattr(company, key) or "" for key in COMPANY_COLUMNS}
    row["industry"] = industry_label(company.industry)
    row["size_band"] = company.get_size_band_display() if company.size_band else ""
    row["status"] = membership.get_status_display()
    row["joined_on"] = membership.joined_on.isoformat() if membership.joined_on else ""
    return row


def _text_rows(rows):
    # Every value as text, so CVR numbers and postcodes keep their leading zeros.
    return ([str(row.get(key, "")) for key in COLUMNS] for row in rows)


def write_csv(rows) -> bytes:
    """`rows` (dicts keyed by `COLUMNS`) as a semicolon-separated UTF-8 CSV with BOM."""
    return tabular.write_csv(headers(), _text_rows(rows))


def write_xlsx(rows, *, with_reference=False) -> bytes:
    """`rows` as an XLSX workbook with every cell text.

    `with_reference` adds a second sheet "industries" listing the DB07 sections and the
    allowed size bands and statuses, in the active language.
    """
    sheets = [tabular.Sheet(_("companies"), headers(), _text_rows(rows))]
    if with_reference:
        reference_headers = (_("column"), _("code"), _("name"))
        sheets.append(tabular.Sheet(_("codes"), reference_headers, _reference_rows()))
    return tabular.write_xlsx(*sheets)


def _reference_rows():
    for choices, column in ((Industry, "industry"), (SizeBand, "size_band")):
        for value, label in choices.choices:
            yield [column_label(column), value, str(label)]
    for value, label in Membership.Status.choices:
        yield [column_label("status"), value, str(label)]


@cache
def _choice_codes(choices) -> dict:
    """A choice's code, or its label in any of the site's languages (casefolded) → code."""
    codes = {str(value).casefold(): value for value in choices.values}
    for language, _name in settings.LANGUAGES:
        with translation.override(language):
            for value, label in choices.choices:
                codes[str(label).casefold()] = value
                if choices is Industry:
                    codes[industry_label(value).casefold()] = value
    return codes


def _choice_code(choices, value):
    code = _choice_codes(choices).get(value.casefold())
    if code is None and choices is Industry:
        # "C – Manufacturing" with another dash or a label of an older version
        match = re.match(r"^([A-Ua-u])(?:\s*[-–:.].*)?$", value)
        code = match.group(1).upper() if match else None
    return code


# --- Reading -----------------------------------------------------------------------------


def read_rows(uploaded_file, filename: str) -> list[dict]:
    """The data rows of an uploaded CSV or XLSX file as dicts of the known columns.

    Each dict also holds "row": the row number the spreadsheet shows (the header is row 1).
    Blank rows are skipped; unknown columns are ignored. Values are stripped strings.
    Raises SpreadsheetError with a message for the user when the file cannot be used.
    """
    table = tabular.read_table(
        uploaded_file,
        filename,
        columns=COLUMNS,
        aliases=header_aliases(),
        required=REQUIRED_COLUMNS,
        max_bytes=MAX_FILE_BYTES,
        max_rows=MAX_ROWS,
        missing_message=_(
            "The first row must hold the column names. Missing: %(missing)s. "
            "Download the template to see the columns."
        ),
        no_rows_message=_("The file has a header row but no companies below it."),
    )
    return table.rows


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
    is fine as long as the row asks for no status but prospect: that company joins as a
    prospect and keeps its details; it is not this alliance's to change.
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
    compact = compact_cvr(value)
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
    code = _choice_code(Industry, value)
    if code is None:
        raise ValidationError(
            _("Unknown industry “%(value)s”: use a DB07 section letter A–U."),
            params={"value": value},
        )
    return code


def _clean_size_band(key, value):
    code = _choice_code(SizeBand, value) if value else ""
    if code is None:
        raise ValidationError(
            _("Unknown size “%(value)s”: use one of %(allowed)s or leave it empty."),
            params={"value": value, "allowed": ", ".join(SizeBand.values)},
        )
    return code


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
    code = _choice_code(Membership.Status, value)
    if code is None:
        raise ValidationError(
            _("Unknown status “%(value)s”: use one of %(allowed)s or leave it empty."),
            params={"value": value, "allowed": ", ".join(Membership.Status.values)},
        )
    return code


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
    """Attach register companies to rows by CVR; a row whose company is a member errs, and
    so does a row that asks for a status other than prospect for a register company."""
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
            status = result.values["status"]
            # An unknown status already has its own error.
            if status in Membership.Status.values and status != Membership.Status.PROSPECT:
                result.errors.append(
                    _(
                        "A company already in the portal's register joins as a prospect; "
                        "leave the status empty."
                    )
                )


# --- Importing ---------------------------------------------------------------------------


def import_rows(alliance, rows, by=None, progress=None) -> int:
    """Import `rows` into `alliance` all-or-nothing and return the number of new members.

    New CVR numbers become companies, members with the row's status (prospect if empty); a
    company already in the register becomes a prospect and its details stay as they are.
    Everything happens in one transaction: if any row has an error or cannot be saved,
    ImportFailed is raised and nothing is saved. `progress(done, total)` is called every
    `PROGRESS_EVERY` rows and once at the end.
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
        data = {key: values[key] for key in COMPANY_COLUMNS}
        company = company_register(alliance=alliance, data=data, by=by, status=values["status"])
    else:
        # Already in the register: it shares its data with this alliance only once it
        # accepts a membership invitation, so it joins as a prospect and stays as it is.
        membership_add(alliance=alliance, company=company, by=by, status=Membership.Status.PROSPECT)
    joined_on = values["joined_on"]
    if joined_on:
        membership = company.memberships.get(alliance=alliance)
        if membership.joined_on != joined_on:
            membership.joined_on = joined_on
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
