from django.contrib import admin

from article6.states.models import Organisation, State
from article6.treaty.models import ObligationFact


class ObligationFactInline(admin.TabularInline):
    model = ObligationFact
    extra = 0
    fields = ("article", "kind", "date", "meeting", "new_deadline", "source")


@admin.register(State)
class StateAdmin(admin.ModelAdmin):
    list_display = ("name", "iso3", "region", "signature_date", "deposit_date", "withdrawal_notified_date")
    list_filter = ("region", "instrument_kind", "is_sample")
    search_fields = ("name", "iso3", "iso2")
    inlines = [ObligationFactInline]


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ("name", "acronym", "kind", "is_sample")
    list_filter = ("kind", "is_sample")
    search_fields = ("name", "acronym")
