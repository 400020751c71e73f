from .factors import Activity, EmissionFactor
from .inventories import Category, ImmutableError, Inventory, InventoryLine, scope_of
from .reporting import (
    AllianceReport,
    PledgeStatus,
    PublishedResults,
    Report,
    ReportBatch,
    ReportingRound,
    ReportReminder,
)
from .summaries import AllianceFigures, ApprovedYearTotal, LatestApproved, PledgeStanding

__all__ = [
    "Activity",
    "AllianceFigures",
    "AllianceReport",
    "ApprovedYearTotal",
    "Category",
    "EmissionFactor",
    "ImmutableError",
    "Inventory",
    "InventoryLine",
    "LatestApproved",
    "PledgeStanding",
    "PledgeStatus",
    "PublishedResults",
    "Report",
    "ReportBatch",
    "ReportReminder",
    "ReportingRound",
    "scope_of",
]
