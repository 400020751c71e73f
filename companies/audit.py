"""The audit trail of a company as staff see it: who changed what, and when."""

from dataclasses import dataclass
from datetime import datetime

from django.utils.translation import gettext_lazy as _

CHANGE_LABELS = {"+": _("created"), "~": _("changed"), "-": _("deleted")}


@dataclass
class AuditEntry:
    when: datetime
    who: object
    what: str
    action: str
    changes: list[tuple[str, str, str]]


def _entries(records, label, describe):
    """Diff consecutive history rows in Python: one query per model, not one per row."""
    previous_by_object = {}
    entries = []
    for record in records:
        object_id = record.id
        previous = previous_by_object.get(object_id)
        changes = []
        if previous is not None and record.history_type == "~":
            delta = record.diff_against(previous)
            for change in delta.changes:
                field = record.instance_type._meta.get_field(change.field)
                changes.append((str(field.verbose_name), str(change.old), str(change.new)))
        previous_by_object[object_id] = record
        if record.history_type == "~" and not changes:
            continue
        entries.append(
            AuditEntry(
                when=record.history_date,
                who=record.history_user,
                what=f"{label}: {describe(record)}",
                action=str(CHANGE_LABELS[record.history_type]),
                changes=changes,
            )
        )
    return entries


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
    entries = []
    for queryset, label, describe in sources:
        records = queryset.select_related("history_user").order_by("history_date", "history_id")
        entries.extend(_entries(records, label, describe))
    entries.sort(key=lambda entry: entry.when, reverse=True)
    return entries[:limit]
