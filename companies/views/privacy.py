"""Privacy (GDPR) for staff: export a contact person's data, or erase it.

Both pages go through `access.staff_membership`, so staff only reach contacts of companies
that share their data with their own alliance (404 otherwise, 403 for anyone who is not its staff).
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from klimaalliance.filenames import attachment
from klimaalliance.permissions import alliance_staff_required

from .. import access, privacy
from ..models import ContactPerson


def _contact(request, pk, contact_id):
    membership = access.staff_membership(request, pk)
    contact = get_object_or_404(
        ContactPerson.objects.select_related("company", "user"),
        pk=contact_id,
        company_id=membership.company_id,
    )
    return membership, contact


@require_GET
@never_cache
@alliance_staff_required
def contact_export_view(request, pk, contact_id):
    """Download everything the portal stores about the contact person, as JSON."""
    contact = _contact(request, pk, contact_id)[1]
    response = JsonResponse(
        privacy.contact_export(contact), json_dumps_params={"ensure_ascii": False, "indent": 2}
    )
    response["Content-Disposition"] = attachment(f"kontaktperson-{contact.pk}.json")
    return response


@require_http_methods(["GET", "POST"])
@never_cache
@alliance_staff_required
def contact_erase_view(request, pk, contact_id):
    """GET: what erasure removes and keeps. POST: erase, then back to the company page."""
    membership, contact = _contact(request, pk, contact_id)
    blocker = privacy.erasure_blocker(contact)
    if request.method == "POST":
        try:
            privacy.contact_erase(contact=contact, by=request.user)
        except ValidationError as error:
            for text in error.messages:
                messages.error(request, text)
        else:
            messages.success(request, _("The contact person's personal data has been erased."))
        return redirect(membership.get_absolute_url())
    user = contact.user
    context = {
        "alliance": request.alliance,
        "company": membership.company,
        "contact": contact,
        "account": user,
        "blocker": blocker,
        "invitation_count": privacy.contact_invitations(contact).count(),
        "representations": (
            list(user.representations.select_related("company")) if user is not None else []
        ),
        "signature_count": (
            user.signatures.count() + user.commitment_signatures.count() if user is not None else 0
        ),
        "erased_name": privacy.ERASED_NAME,
    }
    return render(request, "companies/privacy_confirm.html", context)
