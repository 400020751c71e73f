"""Who is told what at each hand-over of the reporting round (klimaalliance.notifications).

Called from emissions/reporting.py and emissions/services.py inside their transactions.
The round's opening mail and the deadline reminders are sent by `reporting.reminders_send`.
"""

from companies.notifications import company_people
from klimaalliance.notifications import alliance_staff, notify

T = "email/notifications/"


def _send(users, kind, context, link):
    return notify(
        users,
        kind=kind,
        subject_template=f"{T}{kind}_subject.txt",
        text_template=f"{T}{kind}.txt",
        context=context,
        link=link,
    )


def _report_context(report):
    return {
        "report": report,
        "year": report.round.year,
        "alliance": report.round.alliance,
        "company": report.company,
    }


def report_submitted(report) -> int:
    """The alliance's staff: a report awaits review."""
    alliance = report.round.alliance
    return _send(
        alliance_staff(alliance),
        "report_submitted",
        _report_context(report),
        ("emissions:report-review", {"alliance_slug": alliance.slug, "pk": report.pk}),
    )


def report_reviewed(report) -> int:
    """The company's representatives: approved, or sent back with the staff's comment."""
    return _send(
        company_people(report.company),
        "report_reviewed",
        _report_context(report),
        ("my-emissions:report-edit", {"pk": report.pk}),
    )


def inventory_verified(inventory, alliance) -> int:
    """The company's representatives: staff of `alliance` checked the year's figures."""
    return _send(
        company_people(inventory.company),
        "inventory_verified",
        {"inventory": inventory, "alliance": alliance, "company": inventory.company},
        ("my-emissions:inventory-detail", {"pk": inventory.company_id, "year": inventory.year}),
    )
