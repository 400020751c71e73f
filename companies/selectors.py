"""Reads shared by the member list page and its CSV/XLSX export."""

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from klimaalliance.choices import FocusArea

from .industries import Industry, SizeBand
from .models import Membership

SORTS = {
    "name": ("company__legal_name",),
    "-name": ("-company__legal_name",),
    "cvr": ("company__cvr",),
    "status": ("status", "company__legal_name"),
    "joined": ("joined_on", "company__legal_name"),
    "-joined": ("-joined_on", "company__legal_name"),
}


class MemberFilterForm(forms.Form):
    """The member list's search, filters and sorting, read from the query string."""

    q = forms.CharField(label=_("Search name or CVR"), required=False, max_length=100)
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("All")), *Membership.Status.choices]
    )
    industry = forms.ChoiceField(
        label=_("Industry"), required=False, choices=[("", _("All")), *Industry.choices]
    )
    size = forms.ChoiceField(
        label=_("Size"), required=False, choices=[("", _("All")), *SizeBand.choices]
    )
    focus = forms.ChoiceField(
        label=_("Focus area"), required=False, choices=[("", _("All")), *FocusArea.choices]
    )
    sort = forms.ChoiceField(
        label=_("Sort by"),
        required=False,
        choices=[
            ("name", _("Name A–Z")),
            ("-name", _("Name Z–A")),
            ("cvr", _("CVR number")),
            ("status", _("Status")),
            ("-joined", _("Newest members")),
            ("joined", _("Oldest members")),
        ],
    )


def member_queryset(alliance, params):
    """Memberships of `alliance` filtered by the query string `params`.

    Unknown or invalid filter values are ignored rather than failing, so a mangled shared
    link still shows a list. Returns (queryset, bound filter form).
    """
    form = MemberFilterForm(params)
    form.is_valid()
    data = form.cleaned_data
    qs = Membership.objects.filter(alliance=alliance).select_related("company", "level")
    if data.get("q"):
        term = data["q"].strip()
        qs = qs.filter(
            Q(company__legal_name__icontains=term)
            | Q(company__display_name__icontains=term)
            | Q(company__cvr__startswith=term.replace(" ", ""))
        )
    if data.get("status"):
        qs = qs.filter(status=data["status"])
    if data.get("industry"):
        qs = qs.filter(company__industry=data["industry"])
    if data.get("size"):
        qs = qs.filter(company__size_band=data["size"])
    if data.get("focus"):
        # Focus areas come from the company's agreements with this alliance.
        qs = qs.filter(
            company__agreements__alliance=alliance,
            company__agreements__focus_area_links__area=data["focus"],
        ).distinct()
    return qs.order_by(*SORTS.get(data.get("sort") or "name", SORTS["name"])), form
