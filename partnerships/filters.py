"""The public partner list's search, filters and sorting: the page (portal/views/partners.py)
and the open data API (api/filters.py) read the same query parameters through this FilterSet.

The queryset to filter is `partnerships.selectors.public_partners(alliance)` (the default):
companies with an active agreement, annotated with `signed_at` and `sort_name`. On the page
a value that is not one of the choices is reported next to its filter and otherwise ignored;
the API answers 400 instead.
"""

import django_filters
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext_lazy as _

from companies.filters import IGNORED
from companies.industries import Industry
from companies.models import Company
from klimaalliance.choices import FocusArea, PartnershipForm
from klimaalliance.search import all_words_in, search_words

from .selectors import active_agreements, public_partners

Q_MAX_LENGTH = 100
# Keep in step with `public_partners(sort=...)`, which the front page's "newest" list uses.
SORTS = {
    "name": ("sort_name", "pk"),
    "-name": ("-sort_name", "-pk"),
    "-signed": ("-signed_at", "legal_name"),
    "signed": ("signed_at", "legal_name"),
}


class PartnerFilter(django_filters.FilterSet):
    """Partners of `alliance` (None: of any alliance) matching the query string."""

    q = django_filters.CharFilter(
        label=_("Search by name"),
        method="search",
        max_length=Q_MAX_LENGTH,
        error_messages=IGNORED,
    )
    industry = django_filters.ChoiceFilter(
        label=_("Industry"),
        choices=Industry.choices,
        empty_label=_("All industries"),
        error_messages=IGNORED,
    )
    focus = django_filters.ChoiceFilter(
        label=_("Focus area"),
        choices=FocusArea.choices,
        empty_label=_("All focus areas"),
        method="filter_agreement_terms",
        error_messages=IGNORED,
    )
    form = django_filters.ChoiceFilter(
        label=_("Partnership form"),
        choices=PartnershipForm.choices,
        empty_label=_("All forms"),
        method="filter_agreement_terms",
        error_messages=IGNORED,
    )
    sort = django_filters.ChoiceFilter(
        label=_("Sort by"),
        choices=[
            ("name", _("Name A–Z")),
            ("-name", _("Name Z–A")),
            ("-signed", _("Newest partners")),
            ("signed", _("Oldest partners")),
        ],
        empty_label=None,
        method="sort_by",
        error_messages=IGNORED,
    )

    class Meta:
        model = Company
        fields = []  # all declared above

    def __init__(self, data=None, queryset=None, *, alliance=None, **kwargs):
        self.alliance = alliance
        if queryset is None:
            queryset = public_partners(alliance)
        super().__init__(data, queryset, **kwargs)

    def search(self, queryset, name, value):
        """Every word in the name, description or city, in any case (æ, ø and å too, on
        every database); a query of only spaces is no filter."""
        words = search_words(value)
        return queryset.filter(all_words_in("search_text", words)) if words else queryset

    def filter_agreement_terms(self, queryset, name, value):
        """Focus area and partnership form must hold for one and the same active agreement
        (with the alliance), so both go into one subquery, made for `focus` when given."""
        terms = self.form.cleaned_data
        if name == "form" and terms.get("focus"):
            return queryset  # matched together with the focus area
        matching = active_agreements(self.alliance).filter(company=OuterRef("pk"))
        if terms.get("focus"):
            matching = matching.filter(focus_area_links__area=terms["focus"])
        if terms.get("form"):
            matching = matching.filter(partnership_form=terms["form"])
        return queryset.filter(Exists(matching))

    def sort_by(self, queryset, name, value):
        return queryset.order_by(*SORTS[value])
