"""Reads shared by the member list page, its CSV/XLSX export and the staff dashboard."""

from django.db.models import Count

from .filters import MemberFilter
from .models import Membership


def member_queryset(alliance, params):
    """Memberships of `alliance` filtered and sorted by the query string `params`
    (companies.filters.MemberFilter).

    Invalid values are ignored rather than failing, so a mangled shared link still shows a
    list; the bound filter form carries a message for each. Returns (queryset, form).
    """
    members = MemberFilter(params, alliance=alliance)
    return members.qs, members.form


def status_counts(alliance) -> dict[str, int]:
    """{status: number of memberships} of `alliance`, statuses without any left out.

    Counts rows, not ids, so that the index on (alliance, status) answers alone."""
    return dict(
        Membership.objects.filter(alliance=alliance)
        .order_by()  # no join to the companies for Meta.ordering
        .values_list("status")
        .annotate(n=Count("*"))
        .values_list("status", "n")
    )
