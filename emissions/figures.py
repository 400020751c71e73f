"""The staff dashboard's alliance-wide figures, read from one row (`AllianceFigures`)
instead of being summed over every member at each view.

The row holds what `selectors.headline`, `selectors.pledge_counts` and
`selectors.year_totals` say, computed by them, so the figures are the same by construction.
Their inputs are who is a counted member, the members' baselines, the rows approval keeps
(`emissions.summaries`) and the pledges of active agreements. Every change of one of them
outdates the row in the transaction that makes it:

* approval: `summaries.report_approved` and `summaries.rebuild`;
* a membership, an agreement or a pledge saved or deleted (joining, leaving, pausing,
  consent given, signing, terminating, expiring, amending; the admin and imports too): the
  model signals connected below, so no service that saves them can forget it;
* a climate account created or deleted (the same signals), a baseline's totals recalculated
  (`Inventory.recalculate`) or a year no longer the baseline
  (`services.inventory_unset_baseline`).

Outdating bumps the row's version, so changes to one alliance take turns on its row from
the bump to their commit (as approvals already do on the round's). A view that finds the
row outdated recomputes the figures and stores them with the version it read *before*
computing, only if the version is still that one: a change committed meanwhile has bumped
it, so a result that may have missed the change is not stored and the next view
recomputes. A change still in progress holds the row's lock; the view then skips storing
rather than wait for it. Nothing here is per user: the row is read only by views that
checked the person is staff of the alliance, and every page is still rendered for its
request.
"""

from dataclasses import asdict, dataclass
from decimal import Decimal

from django.db import transaction

from companies.models import Membership
from partnerships.models import Agreement, Pledge

from . import selectors
from .models import AllianceFigures, Inventory

# Bumped when the stored shape changes, so rows written by an older version are recomputed.
FORMAT = 1


@dataclass(frozen=True)
class DashboardFigures:
    headline: selectors.Headline
    pledges: selectors.PledgeCounts
    years: list[selectors.YearTotal]


def current(alliance) -> DashboardFigures:
    """The alliance's figures: stored ones while no input changed, else recomputed (and
    stored for the next view)."""
    row = AllianceFigures.objects.filter(alliance=alliance).first()
    if row is not None and row.is_current and row.figures.get("format") == FORMAT:
        return _load(row.figures)
    figures = compute(alliance)
    if row is None:
        # Each alliance gets its row when it is made (the migration made the others'). One
        # made here starts outdated: a change committing meanwhile might have missed it.
        AllianceFigures.objects.get_or_create(alliance=alliance)
    else:
        _store(alliance, row.version, figures)
    return figures


def compute(alliance) -> DashboardFigures:
    return DashboardFigures(
        headline=selectors.headline(alliance),
        pledges=selectors.pledge_counts(alliance),
        years=selectors.year_totals(alliance),
    )


def _store(alliance, version, figures):
    """Store `figures`, computed after reading `version`, unless the row moved on since or a
    change in progress holds it."""
    with transaction.atomic():
        free = (
            AllianceFigures.objects.select_for_update(skip_locked=True)
            .filter(alliance=alliance, version=version)
            .values_list("pk", flat=True)
        )
        if free.first() is not None:
            AllianceFigures.objects.filter(alliance=alliance).update(
                figures=_dump(figures), computed_version=version
            )


def _dump(figures: DashboardFigures) -> dict:
    """JSON: Decimals as their exact strings (no field is text, so every string is one)."""

    def plain(values):
        return {k: str(v) if isinstance(v, Decimal) else v for k, v in asdict(values).items()}

    return {
        "format": FORMAT,
        "headline": plain(figures.headline),
        "pledges": plain(figures.pledges),
        "years": [plain(year) for year in figures.years],
    }


def _load(data: dict) -> DashboardFigures:
    def typed(values):
        return {k: Decimal(v) if isinstance(v, str) else v for k, v in values.items()}

    return DashboardFigures(
        headline=selectors.Headline(**typed(data["headline"])),
        pledges=selectors.PledgeCounts(**typed(data["pledges"])),
        years=[selectors.YearTotal(**typed(year)) for year in data["years"]],
    )


# --- What outdates them ------------------------------------------------------------------


def _alliance_made(sender, instance, created, **kwargs):
    if created:
        AllianceFigures.objects.get_or_create(alliance=instance)


def _membership_changed(sender, instance, **kwargs):
    AllianceFigures.objects.outdate([instance.alliance_id])


def _agreement_changed(sender, instance, **kwargs):
    AllianceFigures.objects.outdate([instance.alliance_id])


def _pledge_changed(sender, instance, **kwargs):
    alliance = Agreement.objects.filter(pk=instance.agreement_id).values("alliance_id")
    AllianceFigures.objects.outdate(alliance)


def _inventory_changed(sender, instance, **kwargs):
    AllianceFigures.objects.outdate_members_of(instance.company_id)


def connect():
    """Called once from `EmissionsConfig.ready()`."""
    from django.db.models.signals import post_delete, post_save

    from klimaalliance.models import Alliance

    post_save.connect(_alliance_made, sender=Alliance, dispatch_uid="emissions.figures.alliance")
    for model, receiver in (
        (Membership, _membership_changed),
        (Agreement, _agreement_changed),
        (Pledge, _pledge_changed),
        (Inventory, _inventory_changed),
    ):
        for signal in (post_save, post_delete):
            uid = f"emissions.figures.{model.__name__}.{signal is post_save}"
            signal.connect(receiver, sender=model, dispatch_uid=uid)
