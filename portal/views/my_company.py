"""A representative's own company page: memberships, agreements, reports and progress.

It shows figures of every app, so it lives in the roof.

The company is found through `companies.access.representation`, so a representative only
ever sees companies they represent; anyone else gets 404, which does not reveal whether
the company exists. Internal notes and the dialogue log are never shown here.
"""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from companies import access
from emissions import charts
from emissions.models import Report
from emissions.progress import company_progress
from emissions.reporting import current_reports
from partnerships.models import Agreement, Pledge


@require_GET
@login_required
def company_detail(request, pk):
    representation = access.representation(request.user, pk)
    company = representation.company
    memberships = list(
        company.memberships.select_related("alliance", "level").order_by("alliance__name")
    )
    agreements = list(company.agreements.select_related("alliance").order_by("-created_at"))
    context = {
        "company": company,
        "contacts": company.contacts.all(),
        "memberships": _with_next_steps(
            [m for m in memberships if not m.awaits_answer], agreements
        ),
        "invitations": [m for m in memberships if m.awaits_answer],
        "may_sign": representation.may_sign,
        "agreements": agreements,
        "groups": company.group_memberships.filter(left_on__isnull=True)
        .select_related("group__alliance")
        .order_by("group__name"),
        "approved_reports": company.reports.filter(status=Report.Status.APPROVED)
        .exclude(pdf="")
        .select_related("round__alliance")
        .order_by("-round__year"),
        "stories": company.stories.select_related("alliance").order_by("-created_at"),
        # The yearly report due and progress against the pledges (emissions.reporting).
        "current_reports": current_reports(company),
        "pledge_progress": company_progress(company),
        "chart": charts.company_chart(
            company,
            pledges=Pledge.objects.filter(
                agreement__company=company, agreement__status=Agreement.Status.ACTIVE
            ).order_by("agreement", "order", "pk"),
        ),
    }
    return render(request, "companies/my_company.html", context)


def _with_next_steps(memberships, agreements) -> list:
    """`memberships`, each with `next_step`: what happens next in that alliance."""
    newest = {}
    for agreement in agreements:  # newest first
        newest.setdefault(agreement.alliance_id, agreement)
    Status = Agreement.Status
    for membership in memberships:
        agreement = newest.get(membership.alliance_id)
        if membership.status == membership.Status.LEFT:
            step = ""
        elif agreement is None:
            step = _("The alliance drafts a partnership agreement with you.")
        elif agreement.status == Status.DRAFT:
            step = _("An agreement is being drafted: read it and comment.")
        elif agreement.status == Status.SENT:
            step = _("The agreement awaits the company's signature.")
        elif agreement.status == Status.SIGNED:
            step = _("The agreement awaits the municipality's countersignature.")
        elif agreement.status == Status.ACTIVE:
            step = _("The agreement is in force: report your progress each year.")
        else:
            step = _("The agreement has ended.")
        membership.next_step = step
    return memberships
