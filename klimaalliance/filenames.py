"""File names of downloads. Django's `slugify` drops the Danish letters ("Grøn Øl" →
"grn-l"); `file_slug` spells them the Danish way first (æ→ae, ø→oe, å→aa), and
`attachment` sends the name through RFC 6266 (`filename*`), so any name arrives whole."""

from django.utils.http import content_disposition_header
from django.utils.text import slugify

DANISH_LETTERS = str.maketrans(
    {"æ": "ae", "ø": "oe", "å": "aa", "Æ": "Ae", "Ø": "Oe", "Å": "Aa", "ü": "ue", "Ü": "Ue"}
)


def file_slug(text: str, fallback: str = "file") -> str:
    """`text` as a file-name part: "Grøn Øl ApS" → "groen-oel-aps"."""
    return slugify(str(text or "").translate(DANISH_LETTERS)) or fallback


def attachment(filename: str) -> str:
    """A Content-Disposition value that downloads as `filename`, whatever its letters."""
    return content_disposition_header(True, filename)
