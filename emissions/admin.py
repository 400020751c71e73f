from django.contrib import admin

from . import summaries
from .models import EmissionFactor, Report


@admin.register(EmissionFactor)
class EmissionFactorAdmin(admin.ModelAdmin):
    list_display = [
        "activity",
        "supplier",
        "unit",
        "year",
        "kg_co2e_per_unit",
        "is_uncertain",
        "is_projection",
        "source",
    ]
    list_filter = ["activity", "year", "is_uncertain", "is_projection"]
    search_fields = ["supplier", "source", "note"]


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin):
    """Reports are handled in the portal; the admin may look, and fix only what is not yet
    approved. An approved report is the published record: view only, never deleted."""

    list_display = ["company", "round", "status", "submitted_at", "reviewed_at"]
    list_filter = ["status", "round__alliance", "round__year"]
    search_fields = ["company__legal_name", "company__cvr"]
    readonly_fields = ["pdf", "pdf_sha256", "pdf_generated_at", "pdf_batch", "version"]

    def has_add_permission(self, request):
        return False

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if obj.status == Report.Status.APPROVED:  # approved here, around report_approve
            summaries.report_approved(obj)

    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.status == Report.Status.APPROVED:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.status == Report.Status.APPROVED:
            return False
        return super().has_delete_permission(request, obj)
