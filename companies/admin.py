from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import Company, Membership, Representation


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0


class RepresentationInline(admin.TabularInline):
    model = Representation
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Company)
class CompanyAdmin(SimpleHistoryAdmin):
    list_display = ["legal_name", "display_name", "cvr", "industry", "city"]
    list_filter = ["industry", "size_band"]
    search_fields = ["legal_name", "display_name", "cvr"]
    inlines = [MembershipInline, RepresentationInline]
