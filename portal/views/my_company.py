"""A representative's own company page: memberships, agreements, reports and progress.

It shows figures of every app, so it lives in the roof.

The company is found through `companies.access.representation`, so a representative only
ever sees companies they represent; anyone else gets 404, which does not reveal whether
the company exists. Internal notes and the dialogue log are never shown here.
"""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.http import require_GET

from companies import access
from emissions import charts
from emissions.progress import company_progress
from emissions.reporting import current_reports
from partnerships.models import Agreement, Pledge


@require_GET
@login_required
def company_detail(request, pk):
    representation = access.representation(request.user, pk)
    company = representation.company
    memberships = company.memberships.select_related("alliance", "level").order_by("alliance__name")
    context = {
        "company": company,
        "contacts": company.contacts.all(),
        "memberships": [m for m in memberships if not m.awaits_answer],
        "invitations": [m for m in memberships if m.awaits_answer],
        "may_sign": representation.may_sign,
        "agreements": company.agreements.select_related("alliance").order_by("-created_at"),
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
