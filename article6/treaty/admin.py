from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from article6.treaty.models import Meeting, ObligationFact


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
