from .factors import Activity, EmissionFactor
from .inventories import Category, ImmutableError, Inventory, InventoryLine, scope_of
from .reporting import (
    AllianceReport,
    PledgeStatus,
    Report,
    ReportBatch,
    ReportingRound,
    ReportReminder,
)

__all__ = [
    "Activity",
    "AllianceReport",
    "Category",
    "EmissionFactor",
    "ImmutableError",
    "Inventory",
    "InventoryLine",
    "PledgeStatus",
    "Report",
    "ReportBatch",
    "ReportReminder",
    "ReportingRound",
    "scope_of",
]
