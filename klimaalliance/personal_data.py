"""Records of a person that other apps keep, for the data export and the erasure summary.

The companies app exports and erases a contact person's data, but signatures live in the
apps that own the signed documents. Each of those apps registers a function from its
`AppConfig.ready()` (pretix's data shredders), so the core and the companies app never
import the apps above them.
"""

import datetime
from collections.abc import Callable

# Each source returns the signatures `user` made, one JSON-ready dict each.
_signature_sources: list[Callable] = []


def register_signatures(source: Callable) -> Callable:
    """Add `source(user) -> list[dict]` to the signatures a person's export lists."""
    if source not in _signature_sources:
        _signature_sources.append(source)
    return source


def signatures_of(user) -> list[dict]:
    """Every signature `user` made, in every registered app. Signatures are the legal
    record, so erasure keeps them; the export shows them."""
    return [row for source in _signature_sources for row in source(user)]


def iso(moment):
    """An aware datetime as ISO 8601 in UTC; a date as ISO 8601; None stays None."""
    if moment is None:
        return None
    if isinstance(moment, datetime.datetime):
        return moment.astimezone(datetime.UTC).isoformat()
    return moment.isoformat()
