"""Numbers as people type and read them: one parser for every numeric input (forms and
spreadsheet imports) and one formatter for every output (pages, documents, PDFs).

Danish is written "1.234,5" (also "1234,5" and "1 234,5"), English "1,234.5". Django's own
localized fields refuse thousands separators unless USE_THOUSAND_SEPARATOR is on (which
would also print years as "2.024"), hence `LocalizedDecimalField`; and its `floatformat`
pads ("1234,50") where a document drops zeros ("1.234,5"), hence `format_number`.
"""

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django import forms
from django.utils import formats, numberformat, translation

SPACES = ("\u00a0", "\u202f", "\u2009", " ")
MINUS_SIGNS = ("\u2212", "\u2013")


def normalize_number(text: str, *, decimal: str, thousands: str) -> str:
    """`text` written with the given decimal mark and thousands separator, as "1234.5".

    Spaces (also non-breaking ones) group digits in every language. The other mark alone is
    read as a decimal mark unless it groups digits in threes ("12.5" is 12.5 in Danish too,
    but "1.234" is 1234), so a Dane who types a point still gets the number they meant, and
    a thousands separator is never a decimal mark.
    """
    text = text.strip()
    for space in SPACES:
        text = text.replace(space, "")
    for minus in MINUS_SIGNS:
        text = text.replace(minus, "-")
    if decimal in text:
        whole, _sep, fraction = text.rpartition(decimal)
        return f"{whole.replace(thousands, '')}.{fraction}"
    if re.fullmatch(rf"[-+]?\d{{1,3}}(?:{re.escape(thousands)}\d{{3}})+", text):
        return text.replace(thousands, "")
    if text.count(thousands) == 1:
        return text.replace(thousands, ".")
    return text


def parse_localized(text: str) -> str:
    """`text` in the active language's number format, normalized to "1234.5"."""
    return normalize_number(
        text,
        decimal=formats.get_format("DECIMAL_SEPARATOR"),
        thousands=formats.get_format("THOUSAND_SEPARATOR"),
    )


class LocalizedDecimalField(forms.DecimalField):
    """A decimal typed in the active language's format, thousands separators allowed.

    A text input (a browser's type=number refuses the Danish comma) showing its value in
    the language's format without grouping ("1234,5"), so it reads back unchanged.
    """

    def __init__(self, **kwargs):
        kwargs.setdefault("localize", True)
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)
        self.widget = forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"})
        self.widget.is_localized = True

    def to_python(self, value):
        if isinstance(value, str) and value.strip():
            value = parse_localized(value)
        return super().to_python(value)


def localized_decimal_formfield(model_field, **kwargs):
    """A ModelForm `formfield_callback`: every model DecimalField becomes a
    `LocalizedDecimalField` with the model field's label, limits and help text."""
    from django.db import models

    if isinstance(model_field, models.DecimalField):
        return model_field.formfield(form_class=LocalizedDecimalField, **kwargs)
    return model_field.formfield(**kwargs)


def format_number(value, decimals: int | None = 2, *, grouping: bool = True, empty: str = "–"):
    """`value` in the active language: at most `decimals` decimals (None: as many as it
    has), no trailing zeros, thousands grouped. 1234.50 → "1.234,5" in Danish and
    "1,234.5" in English; None or "" → `empty`."""
    return number_formatter(decimals, grouping=grouping, empty=empty)(value)


def number_formatter(decimals: int | None = 2, *, grouping: bool = True, empty: str = "–"):
    """`format_number` as a function of the value, the active language's separators looked
    up once: for a table that prints many numbers (each lookup goes through the
    translation machinery)."""
    language = translation.get_language()
    decimal_sep = formats.get_format("DECIMAL_SEPARATOR", language, use_l10n=True)
    group = formats.get_format("NUMBER_GROUPING", language, use_l10n=True)
    thousand_sep = formats.get_format("THOUSAND_SEPARATOR", language, use_l10n=True)
    step = None if decimals is None else Decimal(1).scaleb(-decimals)
    # Groups of three (both our languages): Python's own "," grouping, the marks swapped
    # into the language's, prints what Django's numberformat does, in a tenth of the time.
    marks = (
        str.maketrans({",": thousand_sep, ".": decimal_sep}) if grouping and group == 3 else None
    )

    def formatted(value):
        if value is None or value == "":
            return empty
        try:
            number = value if isinstance(value, Decimal) else Decimal(str(value))
        except (InvalidOperation, ValueError, TypeError):
            return str(value)
        if not number.is_finite():
            return str(value)
        if step is not None:
            number = number.quantize(step, rounding=ROUND_HALF_UP)
        number = number.normalize()
        if number == number.to_integral():
            number = number.quantize(Decimal(1))
        if number == 0:
            number = Decimal(0)  # never "-0"
        _sign, digits, exponent = number.as_tuple()
        if marks is not None and abs(exponent) + len(digits) <= 200:
            return f"{number:,f}".translate(marks)
        # What formats.number_format(number, use_l10n=True, force_grouping=grouping) does.
        return numberformat.format(
            number,
            decimal_sep,
            None,
            group,
            thousand_sep,
            force_grouping=grouping,
            use_l10n=True,
        )

    return formatted
