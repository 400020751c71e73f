from django.shortcuts import get_object_or_404, render

from klimaalliance.permissions import alliance_staff_required

from .models import Membership


@alliance_staff_required
def member_list(request):
    memberships = Membership.objects.filter(alliance=request.alliance).select_related("company")
    return render(
        request,
        "companies/member_list.html",
        {"alliance": request.alliance, "memberships": memberships},
    )


@alliance_staff_required
def company_detail(request, pk):
    membership = get_object_or_404(
        Membership.objects.select_related("company"), alliance=request.alliance, company_id=pk
    )
    return render(
        request,
        "companies/company_detail.html",
        {"alliance": request.alliance, "membership": membership, "company": membership.company},
    )
