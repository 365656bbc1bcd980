from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from article6.treaty.models import FormerUse, Meeting, ObligationFact


@admin.register(Meeting)
class MeetingAdmin(SimpleHistoryAdmin):
    list_display = ("code", "name", "kind", "place", "opens", "closes")
    list_filter = ("kind",)
    search_fields = ("code", "name")


@admin.register(ObligationFact)
class ObligationFactAdmin(SimpleHistoryAdmin):
    list_display = ("state", "article", "kind", "date", "meeting", "meeting_code", "new_deadline")
    list_filter = ("article", "kind")
    search_fields = ("state__name", "state__iso3", "source")
    autocomplete_fields = ("state",)


@admin.register(FormerUse)
class FormerUseAdmin(SimpleHistoryAdmin):
    """Art. 4(4) declarations, entered by ISU with their source (the back office's permissions)."""

    list_display = ("used_by", "used_in", "period", "source", "is_sample")
    list_filter = ("is_sample", "used_in__region", "used_by__region")
    search_fields = ("used_by__name", "used_by__iso3", "used_in__name", "used_in__iso3", "source", "note")
    autocomplete_fields = ("used_by", "used_in")
    list_select_related = ("used_by", "used_in")
    readonly_fields = ("recorded",)
