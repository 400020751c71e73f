"""A representative's own company: the profile and the contact persons, under /my/.

Every view finds its company through `companies.access.represented_company`, so a
representative only ever sees and changes companies they represent; anyone else gets 404,
which does not reveal whether the company exists.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from .. import access, services
from ..forms import CompanyProfileForm, ContactPersonForm
from ..models import Company, ContactPerson, Membership


def _own_company(request, pk) -> Company:
    """The company `pk` if the signed-in user represents it; 404 otherwise."""
    return access.represented_company(request.user, pk)


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


@require_POST
@login_required
def membership_answer(request, pk, membership_id):
    """A person who may sign accepts or declines an alliance's membership invitation."""
    company = access.represented_company(request.user, pk, signing=True)
    membership = get_object_or_404(
        Membership.objects.select_related("alliance"), pk=membership_id, company=company
    )
    accept = request.POST.get("answer") == "accept"
    try:
        services.membership_invitation_answer(membership=membership, by=request.user, accept=accept)
    except ValidationError as error:
        for text in error.messages:
            messages.error(request, text)
    else:
        text = (
            _("%(company)s now shares its data with %(alliance)s.")
            if accept
            else _("You declined the invitation from %(alliance)s.")
        )
        messages.success(
            request, text % {"company": company.name, "alliance": membership.alliance.name}
        )
    return redirect("my:company-detail", pk=company.pk)
