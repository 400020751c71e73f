"""Query parameters of the open data API: django-filter FilterSets for the lists, which
DjangoFilterBackend applies and drf-spectacular documents, and two small checks for the
parameters that are not filters (`lang`, and `alliance`, which scopes a list and is a 404
when unknown).

Filters are strict: an unknown value is a 400 with the allowed values, not a silent
"match nothing", so a client's typo shows up as an error rather than an empty list. The
partner list uses the public page's FilterSet (partnerships.filters), so both read the same
parameters the same way.
"""

import copy

import django_filters
from django.core.validators import RegexValidator
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework import serializers

from klimaalliance.choices import FocusArea, PartnershipForm
from network.models import CommitmentPaper, InspirationCase, Theme, WorkingGroup
from partnerships import filters as partner_filters
from partnerships.models import Pledge

LANGUAGES = ["en", "da"]


class LanguageParams(serializers.Serializer):
    lang = serializers.ChoiceField(
        choices=[(code, code) for code in LANGUAGES],
        required=False,
        allow_blank=True,
        error_messages={"invalid_choice": "Unknown language. Allowed values: en, da."},
    )


class AllianceParams(serializers.Serializer):
    alliance = serializers.CharField(required=False, allow_blank=True)


def validated(serializer_class, request):
    """The cleaned query parameters (blank ones dropped), or a 400 with field errors."""
    serializer = serializer_class(data=request.query_params)
    serializer.is_valid(raise_exception=True)
    return {key: value for key, value in serializer.validated_data.items() if value}


# --- Filters ------------------------------------------------------------------------------


def unknown(what, choices):
    values = ", ".join(str(value) for value, _label in choices)
    return f"Unknown {what}. Allowed values: {values}."


def for_the_api(page_filter, description, **error_messages):
    """A copy of a public page's filter with the API's description (shown in the schema)
    and error messages (in English, naming the allowed values)."""
    api_filter = copy.deepcopy(page_filter)
    api_filter.extra["help_text"] = description
    api_filter.extra["error_messages"] = {
        **api_filter.extra.get("error_messages", {}),
        **error_messages,
    }
    return api_filter


class AllianceFilterBackend(DjangoFilterBackend):
    """DjangoFilterBackend that also hands the FilterSet the alliance the view lists
    (`view.alliance`, None for all): filters on agreements must stay within it."""

    def get_filterset_kwargs(self, request, queryset, view):
        return {**super().get_filterset_kwargs(request, queryset, view), "alliance": view.alliance}


_page = partner_filters.PartnerFilter.base_filters
_Q_LIMIT = partner_filters.Q_MAX_LENGTH


class PartnerFilter(partner_filters.PartnerFilter):
    q = for_the_api(
        _page["q"],
        f"Search the company name (at most {_Q_LIMIT} characters, else 400).",
        max_length=f"Search at most {_Q_LIMIT} characters.",
    )
    industry = for_the_api(
        _page["industry"],
        "DB07 section letter. An unknown value is a 400 listing the allowed ones.",
        invalid_choice=unknown("industry", _page["industry"].extra["choices"]),
    )
    focus = for_the_api(
        _page["focus"],
        "Focus area code. An unknown value is a 400 listing the allowed ones.",
        invalid_choice=unknown("focus area", _page["focus"].extra["choices"]),
    )
    form = for_the_api(
        _page["form"],
        "Partnership form. An unknown value is a 400 listing the allowed ones.",
        invalid_choice=unknown("partnership form", _page["form"].extra["choices"]),
    )
    sort = for_the_api(
        _page["sort"],
        "name (default), -name, -signed (newest partners first) or signed.",
        invalid_choice=unknown("sort order", _page["sort"].extra["choices"]),
    )


class PledgeFilter(django_filters.FilterSet):
    focus = django_filters.ChoiceFilter(
        field_name="focus_area",
        choices=FocusArea.choices,
        help_text="Focus area code. An unknown value is a 400 listing the allowed ones.",
        error_messages={"invalid_choice": unknown("focus area", FocusArea.choices)},
    )
    cvr = django_filters.CharFilter(
        field_name="agreement__company__cvr",
        help_text="Only this company's pledges (CVR number, 8 digits).",
        validators=[RegexValidator(r"^\d{8}$", "A CVR number is 8 digits.")],
    )

    class Meta:
        model = Pledge
        fields = []  # all declared above


# --- OpenAPI parameters -------------------------------------------------------------------

LANG_PARAM = OpenApiParameter(
    "lang",
    OpenApiTypes.STR,
    enum=LANGUAGES,
    description="Language of labels (e.g. the industry label): en (default) or da.",
)
ALLIANCE_PARAM = OpenApiParameter(
    "alliance",
    OpenApiTypes.STR,
    description="Only this alliance (its slug, e.g. `aalborg`). An unknown slug is a 404.",
)


# --- Working groups, commitment papers, inspiration cases -------------------------------


def _choice(field_name, choices, what, description):
    return django_filters.ChoiceFilter(
        field_name=field_name,
        choices=choices,
        help_text=description,
        error_messages={"invalid_choice": unknown(what, choices)},
    )


class WorkingGroupFilter(django_filters.FilterSet):
    status = _choice("status", WorkingGroup.Status.choices, "status", "starting, active or closed.")
    theme = _choice("theme", Theme.choices, "theme", "Theme code. An unknown value is a 400.")

    class Meta:
        model = WorkingGroup
        fields = []


class CommitmentPaperFilter(django_filters.FilterSet):
    status = _choice(
        "status",
        [(CommitmentPaper.Status.OPEN, "open"), (CommitmentPaper.Status.CLOSED, "closed")],
        "status",
        "open (for signatures) or closed.",
    )

    class Meta:
        model = CommitmentPaper
        fields = []


class InspirationCaseFilter(django_filters.FilterSet):
    form = _choice(
        "partnership_form",
        PartnershipForm.choices,
        "partnership form",
        "Partnership form code (see /api/v1/partnership-forms/).",
    )
    focus = _choice(
        "focus_area", FocusArea.choices, "focus area", "Focus area code. Unknown: a 400."
    )

    class Meta:
        model = InspirationCase
        fields = []
