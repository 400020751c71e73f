from django.contrib import admin

from .models import (
    AllianceEvent,
    AllianceNetwork,
    ChairTerm,
    CommitmentPaper,
    CommitmentSignature,
    GroupDocument,
    GroupMember,
    InspirationCase,
    Meeting,
    NetworkEvent,
    NetworkMember,
    WorkingGroup,
)


class ChairTermInline(admin.TabularInline):
    model = ChairTerm
    extra = 0


class GroupMemberInline(admin.TabularInline):
    model = GroupMember
    extra = 0


class MeetingInline(admin.StackedInline):
    model = Meeting
    extra = 0


class GroupDocumentInline(admin.TabularInline):
    model = GroupDocument
    extra = 0


@admin.register(WorkingGroup)
class WorkingGroupAdmin(admin.ModelAdmin):
    list_display = ["name", "alliance", "theme", "status"]
    list_filter = ["alliance", "theme", "status"]
    inlines = [ChairTermInline, GroupMemberInline, MeetingInline, GroupDocumentInline]


class CommitmentSignatureInline(admin.TabularInline):
    model = CommitmentSignature
    extra = 0
    can_delete = False
    fields = readonly_fields = [
        "company",
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


@admin.register(CommitmentPaper)
class CommitmentPaperAdmin(admin.ModelAdmin):
    list_display = ["title", "group", "status"]
    list_filter = ["status"]
    readonly_fields = ["pdf", "pdf_sha256", "pdf_signatures", "pdf_generated_at"]
    inlines = [CommitmentSignatureInline]


@admin.register(InspirationCase)
class InspirationCaseAdmin(admin.ModelAdmin):
    list_display = ["title", "municipality", "partnership_form", "focus_area", "is_published"]
    list_filter = ["partnership_form", "focus_area", "is_published"]
    search_fields = ["title", "municipality"]


class NetworkMemberInline(admin.TabularInline):
    model = NetworkMember
    extra = 0


class NetworkEventInline(admin.StackedInline):
    model = NetworkEvent
    extra = 0


@admin.register(AllianceNetwork)
class AllianceNetworkAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [NetworkMemberInline, NetworkEventInline]


@admin.register(AllianceEvent)
class AllianceEventAdmin(admin.ModelAdmin):
    list_display = ["title", "alliance", "date", "end", "place"]
    list_filter = ["alliance"]
    search_fields = ["title", "place"]
    date_hierarchy = "date"
