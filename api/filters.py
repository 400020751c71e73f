"""Query-string validation for the open data API.

Filters are strict: an unknown value is a 400 with the allowed values, not a silent
"match nothing", so a client's typo shows up as an error rather than an empty list.
"""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework import serializers

from companies.industries import Industry
from klimaalliance.choices import FocusArea, PartnershipForm

LANGUAGES = ["en", "da"]
SORTS = ["name", "-name", "-signed", "signed"]
Q_MAX_LENGTH = 100


def _choice(choices, what):
    values = ", ".join(value for value, _label in choices)
    return serializers.ChoiceField(
        choices=choices,
        required=False,
        allow_blank=True,
        error_messages={"invalid_choice": f"Unknown {what}. Allowed values: {values}."},
    )


class LanguageParams(serializers.Serializer):
    lang = serializers.ChoiceField(
        choices=[(code, code) for code in LANGUAGES],
        required=False,
        allow_blank=True,
        error_messages={"invalid_choice": "Unknown language. Allowed values: en, da."},
    )


class PartnerParams(serializers.Serializer):
    alliance = serializers.CharField(required=False, allow_blank=True)
    q = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=Q_MAX_LENGTH,
        error_messages={"max_length": f"Search at most {Q_MAX_LENGTH} characters."},
    )
    industry = _choice(Industry.choices, "industry")
    focus = _choice(FocusArea.choices, "focus area")
    form = _choice(PartnershipForm.choices, "partnership form")
    sort = _choice([(value, value) for value in SORTS], "sort order")


class PledgeParams(serializers.Serializer):
    alliance = serializers.CharField(required=False, allow_blank=True)
    focus = _choice(FocusArea.choices, "focus area")
    cvr = serializers.RegexField(
        r"^\d{8}$",
        required=False,
        allow_blank=True,
        error_messages={"invalid": "A CVR number is 8 digits."},
    )


class AllianceParams(serializers.Serializer):
    alliance = serializers.CharField(required=False, allow_blank=True)


def validated(serializer_class, request):
    """The cleaned query parameters (blank ones dropped), or a 400 with field errors."""
    serializer = serializer_class(data=request.query_params)
    serializer.is_valid(raise_exception=True)
    return {key: value for key, value in serializer.validated_data.items() if value}


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
Q_PARAM = OpenApiParameter(
    "q",
    OpenApiTypes.STR,
    description=f"Search the company name (at most {Q_MAX_LENGTH} characters, else 400).",
)
INDUSTRY_PARAM = OpenApiParameter(
    "industry",
    OpenApiTypes.STR,
    enum=Industry.values,
    description="DB07 section letter. An unknown value is a 400 listing the allowed ones.",
)
FOCUS_PARAM = OpenApiParameter(
    "focus",
    OpenApiTypes.STR,
    enum=FocusArea.values,
    description="Focus area code. An unknown value is a 400 listing the allowed ones.",
)
FORM_PARAM = OpenApiParameter(
    "form",
    OpenApiTypes.STR,
    enum=PartnershipForm.values,
    description="Partnership form. An unknown value is a 400 listing the allowed ones.",
)
SORT_PARAM = OpenApiParameter(
    "sort",
    OpenApiTypes.STR,
    enum=SORTS,
    description="name (default), -name, -signed (newest partners first) or signed.",
)
CVR_PARAM = OpenApiParameter(
    "cvr",
    OpenApiTypes.STR,
    pattern=r"^\d{8}$",
    description="Only this company's pledges (CVR number, 8 digits).",
)
