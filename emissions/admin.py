from django.contrib import admin

from .models import EmissionFactor


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
