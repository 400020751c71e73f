"""The audit trail of a company as staff see it: who changed what, and when.

Values read as the forms show them, in the reader's language: a choice's label (never its
code, "prospect"), the name of a related object (never its id), "Yes"/"No", dates in the
page's format, and "–" for an empty value (never "None").
"""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.db import models
from django.db.models import F, Window
from django.db.models.functions import Lag
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from klimaalliance.numbers import format_number

CHANGE_LABELS = {"+": _("created"), "~": _("changed"), "-": _("deleted")}
EMPTY = "–"


@dataclass
class AuditEntry:
    when: datetime
    who: object
    what: str
    action: str
    changes: list[tuple[str, str, str]]


def shown_value(field, value, names=None) -> str:
    """`value` of model field `field` as a person reads it; `names` maps (model, pk) to the
    name of a related object (see `related_names`)."""
    if value is None or value == "" or value == []:
        return EMPTY
    if field.is_relation:
        return (names or {}).get((field.related_model, value), gettext("(deleted)"))
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(field, models.BooleanField):
        return gettext("Yes") if value else gettext("No")
    if isinstance(value, datetime):
        return date_format(timezone.localtime(value), "DATETIME_FORMAT")
    if isinstance(value, dt.date):
        return date_format(value, "DATE_FORMAT")
    if isinstance(value, Decimal | float):
        return format_number(value, decimals=None)
    return str(value)


def related_names(raw_changes) -> dict:
    """(model, pk) → name for every related object a change names: one query per model."""
    wanted = defaultdict(set)
    for field, old, new in raw_changes:
        if field.is_relation:
            wanted[field.related_model].update(v for v in (old, new) if v is not None)
    names = {}
    for model, pks in wanted.items():
        for pk, obj in model._default_manager.in_bulk(pks).items():
            names[(model, pk)] = str(obj)
    return names


def readable(entries) -> list:
    """`entries` with their changes as (label, old, new) texts, related objects named."""
    names = related_names(change for entry in entries for change in entry.changes)
    for entry in entries:
        entry.changes = [
            (str(field.verbose_name), shown_value(field, a, names), shown_value(field, b, names))
            for field, a, b in entry.changes
        ]
    return entries


def _entry(record, previous, label, describe):
    """The entry for one history row, given the row before it of the same object; None for
    a save that changed nothing. Its changes are (model field, old, new) until `readable`."""
    changes = []
    if previous is not None and record.history_type == "~":
        delta = record.diff_against(previous)
        for change in delta.changes:
            field = record.instance_type._meta.get_field(change.field)
            changes.append((field, change.old, change.new))
    if record.history_type == "~" and not changes:
        return None
    return AuditEntry(
        when=record.history_date,
        who=record.history_user,
        what=f"{label}: {describe(record)}",
        action=str(CHANGE_LABELS[record.history_type]),
        changes=changes,
    )


def _newest_entries(history, label, describe, limit):
    """The newest `limit` entries of one history, newest first.

    The database picks the rows (newest first, `limit` at a time) and says which row came
    before each of the same object (LAG over the whole history); older rows are not read.
    A batch costs one query, plus one when a row it has to compare with is older still
    (a contact changed long after it was added)."""
    by_object = [F("history_date").asc(), F("history_id").asc()]
    rows = (
        history.select_related("history_user")
        .annotate(previous_id=Window(Lag("history_id"), partition_by=[F("id")], order_by=by_object))
        .order_by("-history_date", "history_id")
    )
    entries, loaded, start = [], {}, 0
    while True:
        # One row more than the batch: most often the one its oldest row is compared with.
        rows_read = list(rows[start : start + limit + 1])
        batch = rows_read[:limit]
        loaded |= {record.history_id: record for record in rows_read}
        missing = {r.previous_id for r in batch if r.history_type == "~"} - {None, *loaded}
        if missing:
            loaded |= {r.history_id: r for r in history.filter(history_id__in=missing)}
        for record in batch:
            entry = _entry(record, loaded.get(record.previous_id), label, describe)
            if entry is not None:
                entries.append(entry)
                if len(entries) == limit:
                    return entries
        if len(rows_read) <= limit:
            return entries
        start += limit


def company_audit_trail(company, membership, limit=50):
    """Newest first: changes to the company, its contacts and its membership of one alliance."""
    from .models import Company, ContactPerson, Membership

    # `describe` reads the history row's own columns: str() of the rebuilt instance would
    # follow foreign keys and cost a query per row.
    sources = [
        (
            Company.history.filter(id=company.pk),
            _("Company"),
            lambda r: r.display_name or r.legal_name,
        ),
        (ContactPerson.history.filter(company_id=company.pk), _("Contact"), lambda r: r.name),
        (
            Membership.history.filter(id=membership.pk),
            _("Membership"),
            lambda r: r.get_status_display(),
        ),
    ]
    # The newest `limit` of all are among the newest `limit` of each. Equal times keep the
    # order of `sources` (a stable sort).
    entries = []
    for history, label, describe in sources:
        entries.extend(_newest_entries(history, label, describe, limit))
    entries.sort(key=lambda entry: entry.when, reverse=True)
    return readable(entries[:limit])
