"""Reads shared by the member list page and its CSV/XLSX export."""

from .filters import MemberFilter


def member_queryset(alliance, params):
    """Memberships of `alliance` filtered and sorted by the query string `params`
    (companies.filters.MemberFilter).

    Invalid values are ignored rather than failing, so a mangled shared link still shows a
    list; the bound filter form carries a message for each. Returns (queryset, form).
    """
    members = MemberFilter(params, alliance=alliance)
    return members.qs, members.form
