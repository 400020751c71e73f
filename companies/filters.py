"""The member list's search, filters and sorting (staff page and its CSV/XLSX export).

Read from the query string. A value that is not one of the choices is reported next to its
filter and otherwise ignored, so a mangled shared link still shows a list.
"""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from klimaalliance.choices import FocusArea
from klimaalliance.forms import QuickSelect
from klimaalliance.search import all_words_in, search_words

from .industries import Industry, SizeBand
from .models import Membership

Q_MAX_LENGTH = 100
SORTS = {
    "name": ("company__legal_name",),
    "-name": ("-company__legal_name",),
    "cvr": ("company__cvr",),
    "status": ("status", "company__legal_name"),
    "joined": ("joined_on", "company__legal_name"),
    "-joined": ("-joined_on", "company__legal_name"),
}
DEFAULT_SORT = "name"
# The messages next to a filter whose value is ignored (also used by partnerships.filters).
IGNORED = {
    "invalid_choice": _("Unknown value “%(value)s”: this filter is not applied."),
    "max_length": _("At most %(limit_value)d characters: the search is not applied."),
}


class MemberFilter(django_filters.FilterSet):
    """Memberships of one alliance (`alliance=`) matching the query string."""

    q = django_filters.CharFilter(
        label=_("Search name or CVR"),
        method="search",
        max_length=Q_MAX_LENGTH,
        error_messages=IGNORED,
    )
    status = django_filters.ChoiceFilter(
        widget=QuickSelect,
        label=_("Status"),
        choices=Membership.Status.choices,
        empty_label=_("All"),
        error_messages=IGNORED,
    )
    industry = django_filters.ChoiceFilter(
        widget=QuickSelect,
        label=_("Industry"),
        field_name="company__industry",
        choices=Industry.choices,
        empty_label=_("All"),
        error_messages=IGNORED,
    )
    size = django_filters.ChoiceFilter(
        widget=QuickSelect,
        label=_("Size"),
        field_name="company__size_band",
        choices=SizeBand.choices,
        empty_label=_("All"),
        error_messages=IGNORED,
    )
    focus = django_filters.ChoiceFilter(
        widget=QuickSelect,
        label=_("Focus area"),
        choices=FocusArea.choices,
        empty_label=_("All"),
        method="filter_focus",
        error_messages=IGNORED,
    )
    sort = django_filters.ChoiceFilter(
        widget=QuickSelect,
        label=_("Sort by"),
        choices=[
            ("name", _("Name A–Z")),
            ("-name", _("Name Z–A")),
            ("cvr", _("CVR number")),
            ("status", _("Status")),
            ("-joined", _("Newest members")),
            ("joined", _("Oldest members")),
        ],
        empty_label=None,
        method="sort_by",
        error_messages=IGNORED,
    )

    class Meta:
        model = Membership
        fields = []  # all declared above

    def __init__(self, data=None, queryset=None, *, alliance, **kwargs):
        self.alliance = alliance
        if queryset is None:
            queryset = Membership.objects.filter(alliance=alliance).select_related(
                "company", "level"
            )
        super().__init__(data, queryset.order_by(*SORTS[DEFAULT_SORT]), **kwargs)

    def search(self, queryset, name, value):
        """Every word in the company's names, description or city (any case, æ/ø/å too
        on every database), or the start of its CVR number ("68 43" finds 68439752)."""
        words = search_words(value)
        if not words:
            return queryset
        digits = "".join(words)
        by_cvr = Q(company__cvr__startswith=digits) if digits.isdigit() else Q(pk__in=[])
        return queryset.filter(all_words_in("company__search_text", words) | by_cvr)

    def filter_focus(self, queryset, name, value):
        # Focus areas come from the company's agreements with this alliance.
        return queryset.filter(
            company__agreements__alliance=self.alliance,
            company__agreements__focus_area_links__area=value,
        ).distinct()

    def sort_by(self, queryset, name, value):
        return queryset.order_by(*SORTS[value])
