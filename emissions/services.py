"""Writes to climate accounts. Every change recomputes the totals and bumps the version;
a change made from a form opened at an older version is refused (`StaleError`)."""

from pathlib import PurePath

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from network.group_services import validate_pdf

from . import notifications
from .models import AllianceFigures, Inventory, InventoryLine


class StaleError(ValidationError):
    """Someone else saved the same climate account or report after this form was opened."""


def check_version(obj, seen_version):
    """Refuse the write if `obj` changed since the form showed `seen_version`."""
    if seen_version is not None and int(seen_version) != obj.version:
        raise StaleError(
            _(
                "Someone else saved changes after you opened this page. Your input is kept "
                "below: compare it with the current figures and save again."
            ),
            code="stale",
        )


def _locked(inventory) -> Inventory:
    return Inventory.objects.select_for_update().get(pk=inventory.pk)


@transaction.atomic
def inventory_create(*, company, year, is_baseline=False) -> Inventory:
    """A new, empty climate account; one per company and year, one baseline per company."""
    inventory = Inventory(company=company, year=year, is_baseline=is_baseline)
    inventory.full_clean()
    try:
        with transaction.atomic():
            inventory.save()
    except IntegrityError as error:  # a concurrent request won the race
        raise ValidationError(_("The company already has a climate account that year.")) from error
    return inventory


@transaction.atomic
def inventory_set_baseline(*, inventory, seen_version=None) -> Inventory:
    inventory = _locked(inventory)
    check_version(inventory, seen_version)
    inventory.check_editable()
    other = Inventory.objects.filter(company=inventory.company_id, is_baseline=True)
    if other.exclude(pk=inventory.pk).exists():
        raise ValidationError(
            _("The company already has a baseline year. Unmark it before choosing another.")
        )
    try:
        with transaction.atomic():
            Inventory.objects.filter(pk=inventory.pk).update(is_baseline=True)
    except IntegrityError as error:  # another year was made the baseline at the same time
        raise ValidationError(
            _("The company already has a baseline year. Unmark it before choosing another.")
        ) from error
    inventory.is_baseline = True
    inventory.recalculate()
    return inventory


@transaction.atomic
def inventory_unset_baseline(*, inventory, seen_version=None) -> Inventory:
    """The year is no longer the baseline, so another year can become it."""
    inventory = _locked(inventory)
    check_version(inventory, seen_version)
    inventory.check_editable()
    Inventory.objects.filter(pk=inventory.pk).update(is_baseline=False)
    AllianceFigures.objects.outdate_members_of(inventory.company_id)  # one baseline fewer
    inventory.is_baseline = False
    inventory.recalculate()
    return inventory


@transaction.atomic
def inventory_attach(*, inventory, file) -> Inventory:
    """Attach the company's own climate report (a PDF of at most 10 MB) to the year,
    replacing an earlier one, whose file is removed once the change is committed. The
    figures and the version do not change."""
    validate_pdf(file)
    inventory = _locked(inventory)
    inventory.check_editable()
    old = inventory.attachment.name if inventory.attachment else ""
    inventory.attachment = file
    inventory.attachment_name = PurePath(file.name).name[:200]
    inventory.save(update_fields=["attachment", "attachment_name"])  # not the figures
    if old and old != inventory.attachment.name:
        storage = inventory.attachment.storage
        transaction.on_commit(lambda: storage.delete(old))
    return inventory


@transaction.atomic
def line_save(*, line: InventoryLine, seen_version=None) -> InventoryLine:
    """Create or update `line` (already validated by its form) and recompute the totals."""
    inventory = _locked(line.inventory)
    check_version(inventory, seen_version)
    inventory.check_editable()
    line.inventory = inventory
    line.full_clean()
    line.save()
    inventory.recalculate()
    return line


@transaction.atomic
def line_delete(*, line: InventoryLine, seen_version=None) -> None:
    inventory = _locked(line.inventory)
    check_version(inventory, seen_version)
    line.delete()
    inventory.recalculate()


@transaction.atomic
def lines_replace(*, inventory, lines, seen_version=None) -> int:
    """Replace all lines at once (an import): all of them are saved, or none."""
    inventory = _locked(inventory)
    check_version(inventory, seen_version)
    inventory.check_editable()
    for line in inventory.lines.all():
        line.delete()
    for order, line in enumerate(lines, 1):
        line.inventory = inventory
        line.order = order
        line.full_clean()
        line.save()
    inventory.recalculate()
    return len(lines)


@transaction.atomic
def inventory_verify(*, inventory, by, method, alliance=None) -> Inventory:
    """Staff record that the year's figures were checked: by whom, when and how. With
    `alliance` (the staff's), the company's representatives are told."""
    if not method.strip():
        raise ValidationError(_("Say how the figures were verified."))
    Inventory.objects.filter(pk=inventory.pk).update(
        verified_at=timezone.now(), verified_by=by, verification_method=method.strip()
    )
    inventory.refresh_from_db()
    if alliance is not None:
        notifications.inventory_verified(inventory, alliance)
    return inventory
