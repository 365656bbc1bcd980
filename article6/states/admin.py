from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from article6.states import declarations
from article6.states.models import Organisation, OrganisationDeclaration, State, StateDeclaration
from article6.treaty.models import ObligationFact


class ObligationFactInline(admin.TabularInline):
    model = ObligationFact
    extra = 0
    fields = ("article", "kind", "date", "meeting", "new_deadline", "source")


@admin.register(State)
class StateAdmin(SimpleHistoryAdmin):
    list_display = ("name", "iso3", "region", "signature_date", "deposit_date", "withdrawal_notified_date")
    list_filter = ("region", "instrument_kind", "is_sample")
    search_fields = ("name", "iso3", "iso2")
    inlines = [ObligationFactInline]


@admin.register(Organisation)
class OrganisationAdmin(SimpleHistoryAdmin):
    list_display = ("name", "acronym", "kind", "is_sample")
    list_filter = ("kind", "is_sample")
    search_fields = ("name", "acronym")


@admin.action(description=_("Validate the selected declarations (publish them)"))
def validate_selected(modeladmin, request, queryset):
    done = 0
    for declaration in queryset.filter(status="pending"):
        declarations.validate(request.user, declaration)
        done += 1
    modeladmin.message_user(request, _("%(count)d declarations validated.") % {"count": done}, messages.SUCCESS)


class DeclarationAdmin(SimpleHistoryAdmin):
    list_filter = ("status", "is_sample")
    readonly_fields = ("submitted_by", "submitted", "reviewed_by", "reviewed")
    actions = [validate_selected]

    def save_model(self, request, obj, form, change):
        if not change:
            obj.submitted_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(StateDeclaration)
class StateDeclarationAdmin(DeclarationAdmin):
    list_display = ("state", "contact_institution", "status", "submitted", "submitted_by", "reviewed")
    search_fields = ("state__name", "contact_institution")
    autocomplete_fields = ("state",)


@admin.register(OrganisationDeclaration)
class OrganisationDeclarationAdmin(DeclarationAdmin):
    list_display = ("organisation", "contact_institution", "status", "submitted", "submitted_by", "reviewed")
    search_fields = ("organisation__name", "contact_institution")
    autocomplete_fields = ("organisation",)
