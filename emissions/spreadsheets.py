"""A year's climate account lines as a spreadsheet: one column layout for CSV and XLSX, for
the export and the import, so a year can go out, be edited in Excel and come back. Reading
and writing the files themselves is `klimaalliance.tabular`'s work.

The header row names the columns in the language of the page ("Kategori", "Mængde"); the
import reads them in Danish or English, or as the column keys of `COLUMNS` (files written
before the headers were translated, and scripts). Cell codes are the
portal's own (category "s2_electricity", activity "electricity", method "activity" or
"direct"). An activity line names its factor by activity, supplier and factor year; the
import looks that factor up in the library and refuses a row whose factor the library does
not have (the portal never invents one). The "scope" and, for activity lines, the "tonnes"
columns are for reading: the import recomputes them.

Number conventions, chosen and documented on the import page:

* CSV follows the language of the page it was downloaded from. Danish: ";" between columns
  and a decimal comma (what Excel with Danish settings opens and saves); English: "," and a
  decimal point. Both are UTF-8 with a byte-order mark and have no thousands separators.
* The import reads the separator from the header row and then reads numbers the matching
  way: after ";" a comma is the decimal mark and a point groups thousands ("1.234,5"), after
  "," the other way round. Excel's Windows-1252 CSV is accepted too.
* XLSX holds numbers as numbers, so no convention is needed; numbers typed as text are read
  in the active language's convention.
"""

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import cache

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from klimaalliance import tabular
from klimaalliance.numbers import normalize_number

from . import units
from .forms import (
    VersionField,
    check_market_factor,
    check_quantity,
    check_tonnes,
)
from .models import Activity, Category, EmissionFactor, InventoryLine, scope_of

COLUMNS = (
    "scope",
    "category",
    "description",
    "method",
    "quantity",
    "unit",
    "activity",
    "factor_year",
    "supplier",
    "market_factor",
    "guarantees_of_origin",
    "tonnes",
    "method_note",
)
REQUIRED_COLUMNS = ("category", "description", "method", "quantity", "unit", "activity", "tonnes")
COLUMN_LABELS = {
    "scope": gettext_lazy("Scope"),
    "category": gettext_lazy("Category"),
    "description": gettext_lazy("Description"),
    "method": gettext_lazy("Method"),
    "quantity": gettext_lazy("Quantity"),
    "unit": gettext_lazy("Unit"),
    "activity": gettext_lazy("Activity"),
    "factor_year": gettext_lazy("Factor year"),
    "supplier": gettext_lazy("Supplier"),
    "market_factor": gettext_lazy("Supplier factor (kg CO2e per unit)"),
    "guarantees_of_origin": gettext_lazy("Guarantees of origin"),
    "tonnes": gettext_lazy("Tonnes CO2e"),
    "method_note": gettext_lazy("Method note"),
}
MAX_FILE_BYTES = 2 * 1024 * 1024
MAX_ROWS = 2000
# (delimiter, decimal mark, thousands separator) of a CSV, by language.
CSV_CONVENTIONS = {"da": (";", ",", "."), "en": (",", ".", ",")}
YES = {"yes", "ja", "true", "1", "x", "y", "j"}
NO = {"no", "nej", "false", "0", "", "n"}


def column_label(key) -> str:
    """The column's name in the active language."""
    return str(COLUMN_LABELS[key])


def headers() -> list[str]:
    return [column_label(key) for key in COLUMNS]


@cache
def header_aliases() -> dict:
    """Header text (casefolded) in any of the site's languages → column key."""
    aliases = {}
    for language, _name in settings.LANGUAGES:
        with translation.override(language):
            aliases.update((column_label(key).casefold(), key) for key in COLUMNS)
    return aliases


def csv_convention(language=None):
    return CSV_CONVENTIONS["en" if (language or get_language() or "da").startswith("en") else "da"]


# --- Writing -----------------------------------------------------------------------------


def line_row(line: InventoryLine) -> dict:
    """One line as a row of `COLUMNS`: numbers as Decimal/int, the rest as text."""
    direct = line.method == InventoryLine.Method.DIRECT
    factor = line.factor
    return {
        "scope": line.scope,
        "category": line.category,
        "description": line.description,
        "method": line.method,
        "quantity": None if direct else line.quantity,
        "unit": "" if direct else line.unit,
        "activity": factor.activity if factor and not direct else "",
        "factor_year": line.factor_year if not direct else None,
        "supplier": factor.supplier if factor and not direct else "",
        "market_factor": line.market_factor,
        "guarantees_of_origin": _("yes") if line.guarantees_of_origin else _("no"),
        "tonnes": line.tonnes_direct if direct else line.tonnes_location,
        "method_note": line.method_note,
    }


def write_csv(lines, *, language=None) -> bytes:
    """The lines as CSV in the conventions of `language` (the active one by default)."""
    delimiter, decimal_mark, _thousands = csv_convention(language)
    with translation.override(language or get_language()):
        return tabular.write_csv(
            headers(), _rows(lines), delimiter=delimiter, decimal_mark=decimal_mark
        )


def write_xlsx(lines) -> bytes:
    """The lines as an XLSX workbook (numbers as numbers) with a second sheet "codes" that
    lists the categories, activities, methods and units in the active language."""
    return tabular.write_xlsx(
        tabular.Sheet(_("lines"), headers(), _rows(lines)),
        tabular.Sheet(_("codes"), (_("column"), _("code"), _("meaning")), _code_rows()),
    )


def _rows(lines):
    """Each line as a list in the order of COLUMNS (the header row is translated)."""
    for line in lines:
        row = line_row(line)
        yield [row[key] for key in COLUMNS]


def _code_rows():
    for column, choices in (
        ("category", Category.choices),
        ("method", InventoryLine.Method.choices),
        ("activity", Activity.choices),
        ("unit", units.Unit.choices),
    ):
        for value, label in choices:
            yield [column_label(column), value, str(label)]


# --- Reading -----------------------------------------------------------------------------


@dataclass
class Rows:
    """The data rows of a file and how its numbers are written."""

    rows: list
    decimal: str
    thousands: str


def read_rows(uploaded_file, filename: str) -> Rows:
    """The rows of an uploaded CSV or XLSX file as dicts of the known columns plus "row"
    (the row number the spreadsheet shows; the header is row 1). Blank rows are skipped.

    Raises SpreadsheetError with a message for the user when the file cannot be used.
    """
    table = tabular.read_table(
        uploaded_file,
        filename,
        columns=COLUMNS,
        required=REQUIRED_COLUMNS,
        max_bytes=MAX_FILE_BYTES,
        max_rows=MAX_ROWS,
        missing_message=_(
            "The first row must hold the column names of the export. Missing: "
            "%(missing)s. Export a year to see the columns."
        ),
        no_rows_message=_("The file has a header row but no lines below it."),
        cell=_xlsx_value,
        aliases=header_aliases(),
        label=column_label,
    )
    if table.delimiter is None:
        _delimiter, decimal, thousands = csv_convention()
    else:
        _delimiter, decimal, thousands = CSV_CONVENTIONS["da" if table.delimiter == ";" else "en"]
    return Rows(table.rows, decimal, thousands)


def _xlsx_value(value):
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | float):
        # repr() of a float is its shortest exact form: 0.096, not 0.09600000000000000.
        return Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    return str(value)


class ImportForm(forms.Form):
    """A CSV or XLSX file of lines; a valid form holds the file's rows in `rows`."""

    file = forms.FileField(
        label=gettext_lazy("File with the year's lines (CSV or XLSX)"),
        widget=forms.FileInput(attrs={"accept": ".csv,.xlsx"}),
        allow_empty_file=True,  # the reader explains an empty file better
    )
    version = VersionField()

    def clean_file(self):
        uploaded = self.cleaned_data["file"]
        self.rows = read_rows(uploaded, uploaded.name)
        return uploaded


# --- Validating --------------------------------------------------------------------------


@dataclass
class RowResult:
    """One row checked for import: the unsaved line it becomes, or its errors."""

    row: int
    values: dict
    errors: list = field(default_factory=list)
    line: InventoryLine | None = None


def validate_rows(rows: Rows, *, inventory) -> list[RowResult]:
    """Check every row of `rows` as a line of `inventory`; one RowResult per row, each
    with an unsaved InventoryLine or with its errors. The library is read once."""
    library = {}
    for factor in EmissionFactor.objects.all():
        library.setdefault((factor.activity, factor.supplier, factor.year), []).append(factor)
    return [_check_row(row, rows, inventory, library) for row in rows.rows]


def _text(row, key, max_length=None):
    value = row.get(key, "")
    text = "" if value is None else str(value).strip()
    if isinstance(value, Decimal):
        text = tabular.plain_decimal(value)
    if max_length and len(text) > max_length:
        raise ValidationError(
            _("%(column)s is longer than %(max)d characters."),
            params={"column": column_label(key), "max": max_length},
        )
    return text


def _number(row, key, rows: Rows):
    value = row.get(key, "")
    if isinstance(value, Decimal):
        return value
    text = str(value or "").strip()
    if not text:
        return None
    if text.startswith("'"):
        text = text[1:]
    try:
        number = Decimal(normalize_number(text, decimal=rows.decimal, thousands=rows.thousands))
    except InvalidOperation:
        number = None
    if number is None or not number.is_finite():
        raise ValidationError(
            _("%(column)s: “%(value)s” is not a number."),
            params={"column": column_label(key), "value": text},
        )
    return number


def _check_row(row, rows, inventory, library) -> RowResult:
    result = RowResult(row=row["row"], values=row)

    def attempt(key, check):
        try:
            return check()
        except ValidationError as error:
            label = column_label(key)
            result.errors.extend(
                message if message.startswith(label) else f"{label}: {message}"
                for message in error.messages
            )
            return None

    category = attempt("category", lambda: _category(row))
    description = attempt("description", lambda: _description(row))
    method = attempt("method", lambda: _method(row))
    scope = attempt("scope", lambda: _number(row, "scope", rows))
    if category and scope is not None and scope != scope_of(category):
        result.errors.append(
            _("%(column)s: the category %(category)s belongs to scope %(right)s, not %(wrong)s.")
            % {
                "column": column_label("scope"),
                "category": category,
                "right": scope_of(category),
                "wrong": tabular.plain_decimal(scope),
            }
        )
    note = attempt("method_note", lambda: _text(row, "method_note", 500))
    market = attempt(
        "market_factor", lambda: check_market_factor(_number(row, "market_factor", rows))
    )
    guarantees = attempt("guarantees_of_origin", lambda: _yes_no(row, "guarantees_of_origin"))
    line = InventoryLine(
        inventory=inventory,
        category=category or "",
        description=description or "",
        method=method or InventoryLine.Method.ACTIVITY,
        method_note=note or "",
    )
    if method == InventoryLine.Method.DIRECT:
        tonnes = attempt("tonnes", lambda: check_tonnes(_number(row, "tonnes", rows)))
        line.tonnes_direct = tonnes
    elif method == InventoryLine.Method.ACTIVITY:
        line.quantity = attempt("quantity", lambda: check_quantity(_number(row, "quantity", rows)))
        line.unit = attempt("unit", lambda: _unit(row)) or ""
        line.factor = attempt("activity", lambda: _factor(row, rows, inventory, library, line.unit))
        line.market_factor = market
        line.guarantees_of_origin = bool(guarantees)
    if not result.errors:
        try:
            line.full_clean(exclude=["inventory", "factor"])
        except ValidationError as error:
            for key, messages in error.message_dict.items():
                column = "tonnes" if key == "tonnes_direct" else key
                name = column_label(column) if column in COLUMN_LABELS else column
                result.errors.extend(
                    f"{name}: {message}" if column != "__all__" else message for message in messages
                )
    if not result.errors:
        result.line = line
    return result


def _category(row):
    value = _text(row, "category").lower()
    if value not in Category.values:
        raise ValidationError(
            _("“%(value)s” is not a category code. Use one of %(codes)s."),
            params={"value": value, "codes": ", ".join(Category.values)},
        )
    return value


def _description(row):
    value = _text(row, "description", 200)
    if not value:
        raise ValidationError(_("The description is missing."))
    return value


def _method(row):
    value = _text(row, "method").lower()
    if not value:
        # Without a method, a row with a quantity is activity × factor.
        has_quantity = _text(row, "quantity") != ""
        return InventoryLine.Method.ACTIVITY if has_quantity else InventoryLine.Method.DIRECT
    if value not in InventoryLine.Method.values:
        raise ValidationError(
            _("“%(value)s” is not a method: use “activity” or “direct”."), params={"value": value}
        )
    return value


def _unit(row):
    value = _text(row, "unit")
    if not value:
        return ""
    by_lower = {unit.lower(): unit for unit in units.Unit.values}
    by_lower.update({"m³": units.Unit.M3, "liter": units.Unit.LITRE, "litre": units.Unit.LITRE})
    if value.lower() not in by_lower:
        raise ValidationError(
            _("“%(value)s” is not a unit. Use one of %(units)s."),
            params={"value": value, "units": ", ".join(units.Unit.values)},
        )
    return by_lower[value.lower()]


def _yes_no(row, key):
    value = _text(row, key).lower()
    if value in YES:
        return True
    if value in NO:
        return False
    raise ValidationError(_("Write “yes” or “no”, not “%(value)s”."), params={"value": value})


def _factor(row, rows, inventory, library, unit):
    """The library's factor the row names; the inventory's year when factor_year is empty."""
    activity = _text(row, "activity").lower()
    if activity not in Activity.values:
        raise ValidationError(
            _("“%(value)s” is not an activity of the factor library. Use one of %(codes)s."),
            params={"value": activity, "codes": ", ".join(Activity.values)},
        )
    supplier = _text(row, "supplier")
    year_value = _number(row, "factor_year", rows)
    year = int(year_value) if year_value is not None else inventory.year
    candidates = library.get((activity, supplier, year), [])
    if unit:
        # The factor in the row's unit, else one it converts to; if none fits, the first
        # of the year, so the line's own check names the unit that does not fit.
        candidates = sorted(
            candidates, key=lambda f: (not units.compatible(unit, f.unit), f.unit != unit)
        )
    if not candidates:
        years = sorted(
            {y for (a, s, y), found in library.items() if a == activity and s == supplier}
        )
        label = Activity(activity).label
        if supplier:
            label = f"{label} ({supplier})"
        raise ValidationError(
            _(
                "The library has no factor for %(activity)s in %(year)s. Years it has: "
                "%(years)s. Write one of them in the column “%(column)s”."
            ),
            params={
                "column": column_label("factor_year"),
                "activity": label,
                "year": year,
                "years": ", ".join(str(y) for y in years) or "–",
            },
        )
    return candidates[0]
