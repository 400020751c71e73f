"""Addresses for the rows of a list: `reverse()` once per kind of link, not once per row.

`reverse()` walks the URL patterns, checks and quotes every argument on each call; a staff
list of 50 rows with two links each paid for that 100 times a page.
"""

from django.urls import reverse

# Stand-in ids, reversed in place of the rows' own; far beyond any real id.
_MARKS = (987_650_001, 987_650_002, 987_650_003)


class RowLinks:
    """`links(viewname, *args, ids=1)` is `reverse(viewname, args=args)` where the last `ids`
    arguments are integer ids that change from row to row (the URL pattern takes them with
    the `int` converter) and the others stay the same within a list: each combination of
    view and fixed arguments is reversed once, with stand-in ids, and filled in per row.

    One per list or request: the addresses depend on the active language."""

    def __init__(self):
        self._templates: dict[tuple, list[str] | None] = {}

    def __call__(self, viewname: str, *args, ids: int = 1) -> str:
        fixed, values = args[:-ids], args[-ids:]
        key = (viewname, fixed, ids)
        try:
            template = self._templates[key]
        except KeyError:
            template = self._templates[key] = _template(viewname, fixed, ids)
        if template is None:  # a stand-in showed up elsewhere in the address
            return reverse(viewname, args=args)
        pieces = [template[0]]
        for value, piece in zip(values, template[1:], strict=True):
            pieces += (str(int(value)), piece)
        return "".join(pieces)


def _template(viewname, fixed, ids) -> list[str] | None:
    """The address split around its stand-in ids: [before, between…, after]."""
    marks = [str(mark) for mark in _MARKS[:ids]]
    url = reverse(viewname, args=[*fixed, *_MARKS[:ids]])
    if any(url.count(mark) != 1 for mark in marks):
        return None
    pieces = []
    for mark in marks:
        head, _mark, url = url.partition(mark)
        pieces.append(head)
    pieces.append(url)
    return pieces
