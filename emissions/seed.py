"""Demo climate accounts and reporting rounds for the Aalborg partners.

All figures are invented examples ("Eksempel (demodata)"), shaped like the sector they stand
for: a farm's livestock and fields, a museum's district heating and electricity with
guarantees of origin, a factory's process energy. Idempotent: existing accounts are kept.
"""

import datetime
import importlib
from decimal import Decimal

from django.apps import apps
from django.utils import timezone

from companies.models import Company

from .models import (
    Category,
    EmissionFactor,
    Inventory,
    InventoryLine,
    PledgeStatus,
    PublishedResults,
    Report,
    ReportingRound,
)
from .reporting import report_approve, reportable_pledges, round_open
from .results import results_publish

YEARS = [2021, 2022, 2023, 2024]
# User content is written in Danish; the demo label also says it in English.
NOTE = "Eksempel (demodata · demo data)"

# CVR: (yearly change, lines). A line: (category, description, activity, unit, quantity) or
# (category, description, tonnes, method note).
PROFILES = {
    "29510008": (  # Rokkedahl: pig and crop farm, biogas
        Decimal("0.93"),
        [
            (Category.LIVESTOCK, "Svin: fordøjelse og gødning", 2900, "Normtal pr. dyr (SEGES)"),
            (Category.FIELDS, "Marker: handelsgødning og drænet jord", 1000, "Normtal pr. ha"),
            (Category.MOBILE, "Diesel til traktorer og maskiner", "diesel", "l", 95_000),
            (Category.ELECTRICITY, "El til stalde og foderanlæg", "electricity", "MWh", 720),
        ],
    ),
    "29510016": (  # a company with offices and a car fleet
        Decimal("0.90"),
        [
            (Category.STATIONARY, "Naturgas til opvarmning", "natural_gas", "m3", 22_000),
            (Category.MOBILE, "Firmabiler (diesel)", "diesel", "l", 14_000),
            (Category.ELECTRICITY, "El, kontor og lager", "electricity", "MWh", 150),
        ],
    ),
    "29510024": (  # congress and culture centre
        Decimal("0.94"),
        [
            (Category.HEAT, "Fjernvarme", "district_heating", "MWh", 6_500),
            (Category.ELECTRICITY, "El til sale og køkkener", "electricity", "MWh", 2_400),
            (Category.WASTE, "Restaffald til forbrænding", 60, "Affaldsdata fra renovatør"),
        ],
    ),
    "29510032": (  # Klovsborg: dairy farm
        Decimal("0.97"),
        [
            (Category.LIVESTOCK, "Malkekøer: fordøjelse og gødning", 2300, "Normtal pr. årsko"),
            (Category.FIELDS, "Marker og drænet lavbundsjord", 650, "Normtal pr. ha"),
            (Category.MOBILE, "Diesel til markarbejde", "diesel", "l", 48_000),
            (Category.ELECTRICITY, "El til malkerobotter og køling", "electricity", "MWh", 420),
        ],
    ),
    "29510040": (  # Fibertex: production
        Decimal("0.92"),
        [
            (Category.STATIONARY, "Naturgas til procesvarme", "natural_gas", "m3", 3_900_000),
            (Category.ELECTRICITY, "El til produktionslinjer", "electricity", "MWh", 28_000),
            (Category.PURCHASED_GOODS, "Polymerråvarer", 21000, "Leverandørdata og LCA-databaser"),
        ],
    ),
    "29510059": (  # Kunsten: museum
        Decimal("0.91"),
        [
            (Category.HEAT, "Fjernvarme", "district_heating", "MWh", 2_900),
            (Category.ELECTRICITY, "El med oprindelsesgarantier", "electricity", "MWh", 900),
            (Category.BUSINESS_TRAVEL, "Flyrejser, udstillinger og kurerer", 45, "Rejsebureauets"),
        ],
    ),
}


def _factor(activity, year):
    """The library's factor for the year, else its newest earlier one (chosen explicitly here,
    as a company would choose it in the form)."""
    factors = EmissionFactor.objects.filter(activity=activity, supplier="")
    return (
        factors.filter(year__lte=year).order_by("-year").first() or factors.order_by("year").first()
    )


def _inventory(company, year, change, lines):
    inventory, created = Inventory.objects.get_or_create(
        company=company, year=year, defaults={"is_baseline": year == YEARS[0]}
    )
    if not created:
        return inventory
    scale = change ** (year - YEARS[0])
    for order, line in enumerate(lines, 1):
        category, description = line[0], f"{line[1]} – {NOTE}"
        if isinstance(line[2], str):
            activity, unit, quantity = line[2:]
            InventoryLine(
                inventory=inventory,
                order=order,
                category=category,
                description=description,
                factor=_factor(activity, year),
                unit=unit,
                quantity=(Decimal(quantity) * scale).quantize(Decimal(1)),
                guarantees_of_origin=category == Category.ELECTRICITY and company.cvr == "29510059",
            ).save()
        else:
            tonnes, note = line[2:]
            InventoryLine(
                inventory=inventory,
                order=order,
                category=category,
                description=description,
                method=InventoryLine.Method.DIRECT,
                tonnes_direct=(Decimal(tonnes) * scale).quantize(Decimal(1)),
                method_note=note,
            ).save()
    inventory.recalculate()
    return inventory


def ensure_factor_library():
    """The shared factor table, as the migration seeds it; again here because a flushed
    test database (browser tests) has lost the migration's rows."""
    if not EmissionFactor.objects.exists():
        importlib.import_module("emissions.migrations.0002_seed_factors").seed(apps, None)


def seed_emissions_demo(alliance, leader):
    ensure_factor_library()
    for cvr, (change, lines) in PROFILES.items():
        company = Company.objects.get(cvr=cvr)
        Company.objects.filter(pk=company.pk).update(publishes_figures=True)
        for year in YEARS:
            _inventory(company, year, change, lines)

    # Last year's round, closed with approved reports; this year's round open for reporting.
    year = YEARS[-1]
    if not ReportingRound.objects.filter(alliance=alliance, year=year).exists():
        closed = ReportingRound.objects.create(
            alliance=alliance,
            year=year,
            deadline=datetime.date(year + 1, 3, 31),
            status=ReportingRound.Status.CLOSED,
            opened_by=leader,
            closed_at=timezone.now(),
        )
        for cvr in PROFILES:
            company = Company.objects.get(cvr=cvr)
            inventory = company.inventories.get(year=year)
            report = Report.objects.create(
                round=closed,
                company=company,
                narrative=f"{NOTE}: {company.name} har fortsat omstillingen i {year}.",
                submitted_at=timezone.now(),
                submitted_by=leader,
            )
            for pledge in reportable_pledges(company, alliance):
                PledgeStatus.objects.create(
                    report=report,
                    pledge=pledge,
                    value=None
                    if pledge.is_milestone
                    else inventory.scope_total(pledge.scopes)
                    if "CO2" in pledge.metric
                    else pledge.baseline_value,
                    milestone=PledgeStatus.Milestone.IN_PROGRESS if pledge.is_milestone else "",
                    note=NOTE,
                )
            # Approved the way staff approve, so each report has its PDF as in real use.
            Report.objects.filter(pk=report.pk).update(status=Report.Status.SUBMITTED)
            report_approve(report=Report.objects.get(pk=report.pk), by=leader)
    this_year = timezone.localdate().year - 1
    if (
        this_year > year
        and not ReportingRound.objects.filter(alliance=alliance, year=this_year).exists()
    ):
        round_open(
            alliance=alliance,
            year=this_year,
            deadline=timezone.localdate() + datetime.timedelta(days=45),
            by=leader,
        )
    # The results the alliance page links, published as staff would after the round.
    if not PublishedResults.objects.filter(alliance=alliance).exists():
        results_publish(alliance=alliance, by=leader)
