"""Read-only representations of the public data, with explicit fields only.

Nothing here reaches contacts, representatives, internal notes, the dialogue log, drafts
or non-public pledges: partners and pledges come from `partnerships.selectors`, the same
place the public pages read from.
"""

import datetime

from django.urls import reverse
from django.utils import translation
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from companies.industries import Industry
from klimaalliance.choices import FocusArea, PartnershipForm
from klimaalliance.models import Alliance, AllianceTarget
from partnerships.models import Pledge

UTC = datetime.UTC


def public_page_url(request, url_name, language, **kwargs):
    """Absolute address of a public page in `language` (Danish has no prefix)."""
    with translation.override(language):
        path = reverse(url_name, kwargs=kwargs)
    return request.build_absolute_uri(path) if request is not None else path


class CodeLabelSerializer(serializers.Serializer):
    code = serializers.CharField()
    label = serializers.CharField(help_text="In the language asked for with ?lang=.")


class AllianceTargetSerializer(serializers.ModelSerializer):
    net_zero = serializers.BooleanField(source="is_net_zero", read_only=True)
    reduction_percent = serializers.DecimalField(
        max_digits=5, decimal_places=1, coerce_to_string=False, read_only=True
    )

    class Meta:
        model = AllianceTarget
        fields = ["reduction_percent", "target_year", "baseline_year", "net_zero"]
        read_only_fields = fields


class AllianceSerializer(serializers.ModelSerializer):
    targets = AllianceTargetSerializer(many=True, read_only=True)
    website = serializers.CharField(read_only=True, help_text="An address, or empty.")
    partner_count = serializers.IntegerField(
        read_only=True, help_text="Companies with an active partnership agreement."
    )
    url = serializers.SerializerMethodField(help_text="The alliance's public page (Danish).")
    url_en = serializers.SerializerMethodField(help_text="The alliance's public page (English).")
    partners_csv = serializers.SerializerMethodField(help_text="The partner list as CSV.")

    class Meta:
        model = Alliance
        fields = [
            "slug",
            "name",
            "municipality",
            "municipality_code",
            "description",
            "description_en",
            "website",
            "targets",
            "partner_count",
            "url",
            "url_en",
            "partners_csv",
        ]
        read_only_fields = fields

    def get_url(self, alliance) -> str:
        return public_page_url(
            self.context.get("request"), "alliance-detail", "da", alliance_slug=alliance.slug
        )

    def get_url_en(self, alliance) -> str:
        return public_page_url(
            self.context.get("request"), "alliance-detail", "en", alliance_slug=alliance.slug
        )

    def get_partners_csv(self, alliance) -> str:
        path = reverse("api:alliance-partners-csv", kwargs={"slug": alliance.slug})
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request is not None else path


class PledgeSerializer(serializers.ModelSerializer):
    focus_area = serializers.ChoiceField(
        choices=FocusArea.choices,
        allow_blank=True,
        read_only=True,
        help_text="Focus area code, or an empty string.",
    )
    baseline_value = serializers.DecimalField(
        max_digits=14, decimal_places=2, coerce_to_string=False, allow_null=True, read_only=True
    )
    target_value = serializers.DecimalField(
        max_digits=14, decimal_places=2, coerce_to_string=False, allow_null=True, read_only=True
    )
    scopes = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=3),
        read_only=True,
        help_text="GHG Protocol scopes the pledge covers (1, 2, 3).",
    )
    reduction_percent = serializers.SerializerMethodField(
        help_text="(1 − target/baseline) × 100 for quantitative pledges; null for milestones."
    )

    class Meta:
        model = Pledge
        fields = [
            "title",
            "description",
            "focus_area",
            "scopes",
            "is_milestone",
            "metric",
            "baseline_year",
            "baseline_value",
            "target_year",
            "target_value",
            "reduction_percent",
        ]
        read_only_fields = fields

    def get_reduction_percent(self, pledge) -> float | None:
        value = pledge.reduction_percent
        return None if value is None else round(float(value), 1)


def municipality_signed_at(agreement):
    """The countersignature's time, from the prefetched `municipality_signatures`."""
    signatures = getattr(agreement, "municipality_signatures", None)
    if signatures is None:
        return None
    return max((s.signed_at for s in signatures), default=None)


class PartnerAllianceSerializer(serializers.Serializer):
    """One active agreement of a partner, seen from the alliance's side."""

    slug = serializers.CharField(source="alliance.slug")
    name = serializers.CharField(source="alliance.name")
    signed_at = serializers.SerializerMethodField(
        help_text="When the municipality countersigned (ISO 8601, UTC)."
    )
    start_date = serializers.DateField()
    end_date = serializers.DateField()
    partnership_form = serializers.ChoiceField(choices=PartnershipForm.choices)
    focus_areas = serializers.SerializerMethodField()
    pledges = PledgeSerializer(many=True, source="pledges.all", help_text="Public pledges only.")

    @extend_schema_field(OpenApiTypes.DATETIME)
    def get_signed_at(self, agreement):
        signed_at = municipality_signed_at(agreement)
        if signed_at is None:
            return None
        return serializers.DateTimeField(default_timezone=UTC).to_representation(signed_at)

    @extend_schema_field({"type": "array", "items": {"type": "string", "enum": FocusArea.values}})
    def get_focus_areas(self, agreement):
        return agreement.focus_area_codes()


class PartnerSerializer(serializers.Serializer):
    cvr = serializers.CharField(help_text="Danish CVR number, 8 digits.")
    name = serializers.CharField(help_text="The display name, else the legal name.")
    legal_name = serializers.CharField()
    industry = serializers.SerializerMethodField(help_text="DB07 section and its label.")
    sub_industry = serializers.CharField()
    size_band = serializers.CharField(help_text="Employees: 1-9, 10-49, 50-249, 250+ or empty.")
    city = serializers.CharField()
    website = serializers.CharField(help_text="An address, or empty.")
    description = serializers.CharField(help_text="Danish.")
    description_en = serializers.CharField(help_text="English (may be empty).")
    logo = serializers.ImageField(read_only=True, use_url=True, allow_null=True)
    logo_alt = serializers.CharField()
    alliances = PartnerAllianceSerializer(
        many=True,
        source="public_agreements",
        help_text="The partner's active agreements (only the filtered alliance's, if any).",
    )

    @extend_schema_field(CodeLabelSerializer)
    def get_industry(self, company):
        label = Industry(company.industry).label if company.industry in Industry.values else ""
        return {"code": company.industry, "label": str(label)}

    def to_representation(self, company):
        data = super().to_representation(company)
        if not company.logo:
            data["logo"] = None
        return data


class PledgeProgressSerializer(serializers.Serializer):
    state = serializers.ChoiceField(
        choices=["on_track", "behind", "no_data", "not_published"],
        help_text="not_published: the company does not publish its figures.",
    )
    year = serializers.IntegerField(allow_null=True, help_text="Year of the latest value.")
    value = serializers.DecimalField(
        max_digits=14, decimal_places=2, allow_null=True, coerce_to_string=False
    )
    expected = serializers.DecimalField(
        max_digits=14,
        decimal_places=2,
        allow_null=True,
        coerce_to_string=False,
        help_text="The straight target path's value in that year.",
    )
    milestone = serializers.CharField(
        allow_blank=True, help_text="A milestone's latest state, else empty."
    )


class PledgeListSerializer(PledgeSerializer):
    """A public pledge with its company and alliance, for the flat pledge list."""

    cvr = serializers.CharField(source="agreement.company.cvr", read_only=True)
    company = serializers.CharField(source="agreement.company.name", read_only=True)
    alliance = serializers.CharField(
        source="agreement.alliance.slug", read_only=True, help_text="Alliance slug."
    )

    progress = serializers.SerializerMethodField(
        help_text="The latest value in an approved report against the target path; only for "
        "companies that publish their figures (else state not_published)."
    )

    class Meta(PledgeSerializer.Meta):
        fields = ["cvr", "company", "alliance", *PledgeSerializer.Meta.fields, "progress"]
        read_only_fields = fields

    @extend_schema_field(PledgeProgressSerializer)
    def get_progress(self, pledge):
        row = self.context.get("progress", {}).get(pledge.pk)
        if row is None:
            return {
                "state": "not_published",
                "year": None,
                "value": None,
                "expected": None,
                "milestone": "",
            }
        return PledgeProgressSerializer(
            {
                "state": row.progress.state,
                "year": row.status.report.round.year if row.status else None,
                "value": row.progress.value,
                "expected": row.progress.expected,
                "milestone": row.status.milestone if row.status else "",
            }
        ).data


class YearlyTotalSerializer(serializers.Serializer):
    alliance = serializers.CharField(help_text="Alliance slug.")
    year = serializers.IntegerField()
    partners_joined = serializers.IntegerField(
        help_text="Companies whose first agreement with the alliance was countersigned this year."
    )
    active_partners = serializers.IntegerField(
        help_text="Companies with an agreement in force on 31 December (this year: today)."
    )
    reporting_partners = serializers.IntegerField(
        help_text="Partners whose approved report for the year is published."
    )
    emissions_t = serializers.DecimalField(
        max_digits=16,
        decimal_places=3,
        allow_null=True,
        help_text="Their summed emissions, tonnes CO2e, location-based, scopes 1-3.",
    )


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()


class ValidationErrorSerializer(serializers.Serializer):
    """Field name → list of messages."""

    q = serializers.ListField(child=serializers.CharField(), required=False)
    industry = serializers.ListField(child=serializers.CharField(), required=False)
    focus = serializers.ListField(child=serializers.CharField(), required=False)
    form = serializers.ListField(child=serializers.CharField(), required=False)
    lang = serializers.ListField(child=serializers.CharField(), required=False)


# --- Verifying a signed PDF (POST /api/v1/verify/) ------------------------------------------


class VerifyUploadSerializer(serializers.Serializer):
    file = serializers.FileField(
        help_text="The PDF to check (at most 20 MB), sent as multipart/form-data."
    )

    def validate_file(self, upload):
        from partnerships.forms import MAX_VERIFY_BYTES

        if upload.size > MAX_VERIFY_BYTES:
            raise serializers.ValidationError("The file is larger than 20 MB.")
        upload.seek(0)
        if upload.read(5) != b"%PDF-":
            raise serializers.ValidationError("The file is not a PDF.")
        upload.seek(0)
        return upload


class SealSerializer(serializers.Serializer):
    status = serializers.ChoiceField(
        choices=["valid", "changed", "untrusted", "unsealed", "unreadable"],
        help_text="valid: intact, unchanged since sealing and by a trusted certificate; "
        "changed: the file was changed after sealing; untrusted: sealed by a certificate the "
        "portal does not trust; unsealed: no digital seal; unreadable: not a readable PDF.",
    )
    valid = serializers.BooleanField()
    reason = serializers.CharField(help_text="The status in words, in the requested language.")
    sealed_by = serializers.CharField(allow_null=True, help_text="The certificate's subject.")
    issuer = serializers.CharField(allow_null=True)
    sealed_at = serializers.DateTimeField(
        allow_null=True, help_text="Signing time the seal states."
    )
    timestamped_at = serializers.DateTimeField(
        allow_null=True, help_text="Time of the RFC 3161 timestamp, if the seal has one."
    )
    intact = serializers.BooleanField(help_text="The signed bytes are unchanged.")
    trusted = serializers.BooleanField(help_text="The certificate chains to a trusted root.")
    certificate_expired = serializers.BooleanField(
        help_text="The certificate has expired since: it was checked at checked_at, the "
        "moment of sealing, instead of now."
    )
    checked_at = serializers.DateTimeField(
        allow_null=True,
        help_text="The moment an expired certificate was checked at: the timestamp's time, "
        "or else the signing time.",
    )


class VerifiedAgreementSerializer(serializers.Serializer):
    verification_code = serializers.CharField()
    company = serializers.CharField()
    cvr = serializers.CharField()
    municipality = serializers.CharField()
    alliance = serializers.CharField()
    version = serializers.IntegerField()
    status = serializers.CharField()
    start_date = serializers.DateField()
    end_date = serializers.DateField()


class VerifyResultSerializer(serializers.Serializer):
    authentic = serializers.BooleanField(
        help_text="The file is exactly the PDF archived when both parties had signed."
    )
    agreement = VerifiedAgreementSerializer(
        allow_null=True, help_text="The agreement the file is, when authentic."
    )
    seal = SealSerializer()


class VerifyErrorSerializer(serializers.Serializer):
    """Field name → messages, or a detail for a request that could not be read."""

    file = serializers.ListField(child=serializers.CharField(), required=False)
    lang = serializers.ListField(child=serializers.CharField(), required=False)
    detail = serializers.CharField(required=False)


# --- Public progress (emissions.public) ------------------------------------------------------


def _decimal(**kwargs):
    return serializers.DecimalField(max_digits=16, decimal_places=3, read_only=True, **kwargs)


class PledgeTallySerializer(serializers.Serializer):
    quantitative = serializers.IntegerField(help_text="Public quantitative pledges.")
    on_track = serializers.IntegerField(help_text="At or better than the straight target path.")
    behind = serializers.IntegerField()
    not_reported = serializers.IntegerField(help_text="No value in an approved report yet.")
    milestones = serializers.IntegerField()
    milestones_done = serializers.IntegerField()


class ProgressYearSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    reporting_partners = serializers.IntegerField(source="companies")
    emissions_t = _decimal(source="total_location_t", help_text="Tonnes CO2e, location-based.")


class CoveredCompanySerializer(serializers.Serializer):
    cvr = serializers.CharField()
    name = serializers.CharField()
    years = serializers.ListField(child=serializers.IntegerField())
    baseline_year = serializers.IntegerField(allow_null=True)


class ProgressSerializer(serializers.Serializer):
    """emissions.public.Progress: the same figures as the public pages and the CSV file."""

    alliance = serializers.CharField(
        source="slug", help_text="Alliance slug; empty for the national total."
    )
    partners_reporting = serializers.IntegerField(
        help_text="Companies that publish their figures with at least one approved year."
    )
    first_year = serializers.IntegerField(allow_null=True)
    last_year = serializers.IntegerField(allow_null=True)
    baseline_year = serializers.IntegerField(
        allow_null=True, help_text="The earliest baseline year of the covered companies."
    )
    comparable_partners = serializers.IntegerField(
        source="comparable", help_text="Companies with both a baseline and an approved year."
    )
    baseline_t = _decimal(source="comparable_baseline_t", help_text="Their baselines, summed.")
    latest_t = _decimal(
        source="comparable_latest_t", help_text="Their latest approved totals, summed."
    )
    reduction_t = _decimal(help_text="baseline_t − latest_t.")
    reduction_percent = serializers.DecimalField(
        max_digits=6, decimal_places=1, read_only=True, allow_null=True
    )
    pledges = PledgeTallySerializer()
    years = ProgressYearSerializer(many=True)
    companies = CoveredCompanySerializer(many=True, help_text="Which companies and years.")


class ProgressListSerializer(serializers.Serializer):
    alliances = ProgressSerializer(many=True)
    national = ProgressSerializer(help_text="All alliances; each company and year once.")


# --- Working groups, commitment papers, inspiration, networks -------------------------------


def _absolute(request, path):
    return request.build_absolute_uri(path) if request is not None else path


class GroupResultSerializer(serializers.Serializer):
    title = serializers.CharField()
    url = serializers.CharField(help_text="The published PDF.")


class WorkingGroupSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    alliance = serializers.CharField(source="alliance.slug", help_text="Alliance slug.")
    name = serializers.CharField()
    theme = serializers.CharField(help_text="Theme code.")
    status = serializers.CharField(help_text="starting, active or closed.")
    description = serializers.CharField(help_text="Danish.")
    description_en = serializers.CharField(help_text="English (may be empty).")
    chair_mode = serializers.CharField(help_text="fixed or rotating.")
    chair = serializers.SerializerMethodField(help_text="The current chair company, or null.")
    members = serializers.SerializerMethodField(help_text="Current member companies.")
    results = serializers.SerializerMethodField(help_text="Published results (PDF).")
    url = serializers.SerializerMethodField(help_text="The group's public page (Danish).")

    @extend_schema_field({"type": "string", "nullable": True})
    def get_chair(self, group):
        terms = group.current_chair_terms
        return terms[0].company.name if terms else None

    @extend_schema_field({"type": "array", "items": {"type": "string"}})
    def get_members(self, group):
        return [member.company.name for member in group.current_members]

    @extend_schema_field(GroupResultSerializer(many=True))
    def get_results(self, group):
        request = self.context.get("request")
        return [
            {
                "title": document.title,
                "url": _absolute(
                    request,
                    reverse(
                        "group-document",
                        kwargs={
                            "alliance_slug": group.alliance.slug,
                            "pk": group.pk,
                            "document_id": document.pk,
                        },
                    ),
                ),
            }
            for document in group.published_documents
        ]

    def get_url(self, group) -> str:
        return public_page_url(
            self.context.get("request"),
            "group-detail",
            "da",
            alliance_slug=group.alliance.slug,
            pk=group.pk,
        )


class PaperSignatorySerializer(serializers.Serializer):
    cvr = serializers.CharField(source="company.cvr")
    name = serializers.CharField(source="company.name")
    signed_at = serializers.DateTimeField()


class CommitmentPaperSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    alliance = serializers.CharField(source="group.alliance.slug", help_text="Alliance slug.")
    group = serializers.IntegerField(source="group_id", help_text="Working group id.")
    group_name = serializers.CharField(source="group.name")
    title = serializers.CharField(help_text="Danish.")
    title_en = serializers.CharField()
    text = serializers.CharField(help_text="Danish.")
    text_en = serializers.CharField()
    focus_area = serializers.CharField(help_text="Focus area code, or empty.")
    target_year = serializers.IntegerField(allow_null=True)
    status = serializers.CharField(help_text="open (for signatures) or closed.")
    published_at = serializers.DateTimeField(allow_null=True)
    signature_count = serializers.SerializerMethodField()
    signatories = PaperSignatorySerializer(many=True, source="signatures.all")
    pdf = serializers.SerializerMethodField(help_text="The signed paper as PDF.")

    def get_signature_count(self, paper) -> int:
        return len(paper.signatures.all())

    def get_pdf(self, paper) -> str:
        path = reverse(
            "paper-pdf", kwargs={"alliance_slug": paper.group.alliance.slug, "paper_id": paper.pk}
        )
        return _absolute(self.context.get("request"), path)


class InspirationCaseSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    alliance = serializers.CharField(source="alliance.slug", help_text="Alliance slug.")
    title = serializers.CharField()
    municipality = serializers.CharField()
    partnership_form = serializers.CharField(help_text="One of /api/v1/partnership-forms/.")
    focus_area = serializers.CharField()
    companies_involved = serializers.CharField()
    what_was_done = serializers.CharField()
    results = serializers.CharField()
    source = serializers.CharField()
    url = serializers.SerializerMethodField()

    def get_url(self, case) -> str:
        return public_page_url(self.context.get("request"), "case-detail", "da", case_id=case.pk)


class PartnershipFormSerializer(serializers.Serializer):
    number = serializers.IntegerField(help_text="KL's numbering, 1-7.")
    code = serializers.CharField()
    label = serializers.CharField(help_text="In the language asked for with ?lang=.")


class NetworkMemberSerializer(serializers.Serializer):
    municipality = serializers.CharField()
    alliance = serializers.CharField(
        source="alliance.slug", allow_null=True, help_text="Its alliance's slug, if on the portal."
    )


class NetworkEventSerializer(serializers.Serializer):
    title = serializers.CharField()
    date = serializers.DateField()
    place = serializers.CharField()
    programme = serializers.CharField()


class NetworkSerializer(serializers.Serializer):
    slug = serializers.CharField()
    name = serializers.CharField()
    description = serializers.CharField()
    joint_declaration = serializers.CharField()
    source = serializers.CharField()
    members = NetworkMemberSerializer(many=True, source="members.all")
    events = NetworkEventSerializer(many=True, source="events.all")
