from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from article6.accounts.models import ApiToken, Invitation, Role


@admin.register(Role)
class RoleAdmin(SimpleHistoryAdmin):
    list_display = ("user", "kind", "state", "organisation", "thematic_area", "is_sample")
    list_filter = ("kind", "thematic_area", "is_sample")
    search_fields = ("user__email", "state__name", "organisation__name")
    autocomplete_fields = ("state", "organisation")


@admin.register(Invitation)
class InvitationAdmin(SimpleHistoryAdmin):
    list_display = ("email", "kind", "state", "organisation", "thematic_area", "invited_by", "created", "accepted")
    list_filter = ("kind",)
    search_fields = ("email",)
    readonly_fields = ("invited_by", "created", "accepted")

    def save_model(self, request, obj, form, change):
        if not change:
            obj.invited_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(ApiToken)
class ApiTokenAdmin(SimpleHistoryAdmin):
    """Tokens are made by their owners; ISU can see and revoke them, never read them."""

    list_display = ("name", "user", "scope", "hint", "created", "last_used", "revoked")
    list_filter = ("scope",)
    search_fields = ("name", "user__email")
    readonly_fields = ("user", "name", "scope", "hint", "created", "last_used")

    def has_add_permission(self, request):
        return False
