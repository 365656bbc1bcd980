from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from article6.reporting.models import (
    AreaFigure,
    AssistanceFigure,
    CasualtyFigure,
    FormSection,
    MunitionFigure,
    ReminderSent,
    Report,
    ReportedNeed,
    ResourceFigure,
)


class FormSectionInline(admin.StackedInline):
    model = FormSection
    extra = 0


class MunitionFigureInline(admin.TabularInline):
    model = MunitionFigure
    extra = 0


class AreaFigureInline(admin.TabularInline):
    model = AreaFigure
    extra = 0


class CasualtyFigureInline(admin.TabularInline):
    model = CasualtyFigure
    extra = 0


class ResourceFigureInline(admin.TabularInline):
    model = ResourceFigure
    extra = 0


class AssistanceFigureInline(admin.TabularInline):
    model = AssistanceFigure
    extra = 0


class ReportedNeedInline(admin.StackedInline):
    model = ReportedNeed
    extra = 0
    raw_id_fields = ("need",)


@admin.register(Report)
class ReportAdmin(SimpleHistoryAdmin):
    """Transparency reports (Art. 7). States file theirs online; ISU records past ones
    here (historic, with the date received and the published document)."""

    list_display = ("state", "kind", "year", "version", "status", "submitted_on", "historic", "is_sample")
    list_filter = ("kind", "status", "historic", "is_sample", "year")
    search_fields = ("state__name", "state__iso3")
    autocomplete_fields = ("state",)
    raw_id_fields = ("corrects", "submitted_by", "published_by")
    readonly_fields = ("created_by", "created", "updated")
    date_hierarchy = "submitted_on"
    inlines = [
        FormSectionInline,
        MunitionFigureInline,
        AreaFigureInline,
        CasualtyFigureInline,
        ResourceFigureInline,
        AssistanceFigureInline,
        ReportedNeedInline,
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("state")

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(ReminderSent)
class ReminderSentAdmin(admin.ModelAdmin):
    """The record of reminders sent: written by the daily command only."""

    list_display = ("state", "kind", "year", "due", "reminder", "recipients", "sent")
    list_filter = ("reminder", "kind")
    search_fields = ("state__name", "state__iso3")
    readonly_fields = ("state", "kind", "year", "due", "reminder", "recipients", "sent")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("state")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
