"""Admin for the platform administrator. Countersigned agreements and every signature are
shown read-only: the model refuses changes anyway, the admin must not pretend otherwise."""

from django.contrib import admin

from .models import (
    Agreement,
    AgreementComment,
    AgreementTemplate,
    CatalogueItem,
    Pledge,
    Signature,
    TemplateClause,
)


class TemplateClauseInline(admin.StackedInline):
    model = TemplateClause
    extra = 0


@admin.register(AgreementTemplate)
class AgreementTemplateAdmin(admin.ModelAdmin):
    list_display = ["title", "alliance", "version", "created_at"]
    list_filter = ["alliance"]
    inlines = [TemplateClauseInline]

    def has_change_permission(self, request, obj=None):
        # A version in use is history: staff make a new version instead.
        if obj is not None and obj.agreements.exists():
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.agreements.exists():
            return False
        return super().has_delete_permission(request, obj)


@admin.register(CatalogueItem)
class CatalogueItemAdmin(admin.ModelAdmin):
    list_display = ["title", "alliance", "focus_area", "is_milestone", "target_year"]
    list_filter = ["alliance", "focus_area"]


class PledgeInline(admin.TabularInline):
    model = Pledge
    extra = 0
    fields = [
        "title",
        "focus_area",
        "is_milestone",
        "metric",
        "baseline_year",
        "baseline_value",
        "target_year",
        "target_value",
        "is_public",
    ]


class SignatureInline(admin.TabularInline):
    model = Signature
    extra = 0
    can_delete = False
    fields = readonly_fields = [
        "party",
        "typed_name",
        "title",
        "user",
        "signed_at",
        "ip_address",
        "user_agent",
        "content_sha256",
    ]

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class CommentInline(admin.TabularInline):
    model = AgreementComment
    extra = 0
    readonly_fields = ["author", "created_at"]


@admin.register(Agreement)
class AgreementAdmin(admin.ModelAdmin):
    list_display = ["company", "alliance", "version", "status", "start_date", "end_date"]
    list_filter = ["alliance", "status", "partnership_form"]
    search_fields = ["company__legal_name", "company__cvr", "verification_code"]
    readonly_fields = [
        "verification_code",
        "content_sha256",
        "pdf",
        "pdf_sha256",
        "pdf_generated_at",
        "created_by",
        "created_at",
        "updated_at",
    ]
    inlines = [PledgeInline, SignatureInline, CommentInline]

    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.status != Agreement.Status.DRAFT:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.status != Agreement.Status.DRAFT:
            return False
        return super().has_delete_permission(request, obj)


@admin.register(Signature)
class SignatureAdmin(admin.ModelAdmin):
    list_display = ["typed_name", "party", "agreement", "signed_at"]
    readonly_fields = [f.name for f in Signature._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
