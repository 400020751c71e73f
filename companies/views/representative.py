"""A representative's own company pages under /my/.

Every view finds its company through `_own_company`, so a representative only ever sees
and changes companies they represent; anyone else gets 404, which does not reveal
whether the company exists. Internal notes and the dialogue log are never shown here.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from emissions import charts
from emissions.progress import company_progress
from emissions.reporting import current_reports
from partnerships.models import Agreement, Pledge

from ..forms import CompanyProfileForm, ContactPersonForm
from ..models import Company, ContactPerson, Membership


def _own_company(request, pk) -> Company:
    """The company `pk` if the signed-in user represents it; 404 otherwise."""
    return get_object_or_404(Company, pk=pk, representatives__user=request.user)


@require_GET
@login_required
def company_detail(request, pk):
    company = _own_company(request, pk)
    memberships = company.memberships.select_related("alliance", "level").order_by("alliance__name")
    context = {
        "company": company,
        "contacts": company.contacts.all(),
        "memberships": [m for m in memberships if m.status != Membership.Status.INVITED],
        "invitations": [m for m in memberships if m.status == Membership.Status.INVITED],
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


@require_http_methods(["GET", "POST"])
@login_required
def company_edit(request, pk):
    company = _own_company(request, pk)
    form = CompanyProfileForm(request.POST or None, request.FILES or None, instance=company)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("The company profile has been saved."))
        return redirect("my:company-detail", pk=company.pk)
    return render(request, "companies/my_company_form.html", {"company": company, "form": form})


def _contact_form(request, company, contact=None):
    form = ContactPersonForm(request.POST or None, instance=contact, company=company)
    if request.method == "POST" and form.is_valid():
        saved = form.save(commit=False)
        saved.company = company
        saved.save()
        messages.success(request, _("The contact %(name)s has been saved.") % {"name": saved.name})
        return redirect("my:company-detail", pk=company.pk)
    context = {"company": company, "contact": contact, "form": form}
    return render(request, "companies/my_contact_form.html", context)


@require_http_methods(["GET", "POST"])
@login_required
def contact_create(request, pk):
    return _contact_form(request, _own_company(request, pk))


@require_http_methods(["GET", "POST"])
@login_required
def contact_edit(request, pk, contact_id):
    company = _own_company(request, pk)
    contact = get_object_or_404(ContactPerson, pk=contact_id, company=company)
    return _contact_form(request, company, contact)
