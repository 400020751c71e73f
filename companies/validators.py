from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from stdnum.dk import cvr
from stdnum.exceptions import ValidationError as StdnumError


def compact_cvr(value) -> str:
    """A CVR number as typed or pasted ("68 43 97 52", "DK-68439752") as its digits."""
    text = "".join(str(value or "").split()).replace("-", "").replace(".", "")
    return text[2:] if text[:2].upper() == "DK" else text


def validate_cvr(value):
    """A CVR number: 8 digits, not starting with 0, passing the modulus-11 check.

    Erhvervsstyrelsen states every CVR number passes modulus 11 (weights 2,7,6,5,4,3,2,1).
    """
    digits = cvr.compact(str(value))
    if not digits.isdigit() or len(digits) != 8:
        raise ValidationError(_("A CVR number has exactly 8 digits."), code="cvr_length")
    if digits[0] == "0":
        raise ValidationError(_("A CVR number cannot start with 0."), code="cvr_leading_zero")
    try:
        cvr.validate(digits)
    except StdnumError as exc:
        raise ValidationError(
            _(
                "%(value)s is not a valid CVR number: the check digit does not match. "
                "Check for typing errors (a P-number is not a CVR number)."
            ),
            params={"value": digits},
            code="cvr_checksum",
        ) from exc


def validate_postcode(value):
    if value and not (len(value) == 4 and value.isdigit()):
        raise ValidationError(_("A Danish postcode has 4 digits."), code="postcode")
