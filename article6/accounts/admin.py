from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from article6.accounts import events, invitations
from article6.accounts.models import AccountEvent, ApiToken, Invitation, Role


@admin.register(Role)
class RoleAdmin(SimpleHistoryAdmin):
    list_display = ("user", "kind", "state", "organisation", "thematic_area", "is_sample")
    list_filter = ("kind", "thematic_area", "is_sample")
    search_fields = ("user__email", "state__name", "organisation__name")
    autocomplete_fields = ("state", "organisation")


@admin.register(Invitation)
class InvitationAdmin(SimpleHistoryAdmin):
    """An invitation is sent from here as from the invitations page (its link e-mailed);
    once sent, what it promised (address, role, scope) cannot be changed."""

    list_display = ("email", "kind", "state", "organisation", "thematic_area", "invited_by", "created", "accepted")
    list_filter = ("kind",)
    search_fields = ("email",)
    readonly_fields = ("invited_by", "created", "accepted", "withdrawn")

    def get_readonly_fields(self, request, obj=None):
        fixed = Invitation.FIXED_FIELDS if obj is not None and obj.pk else ()
        return (*fixed, *self.readonly_fields)

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
        else:
            invitations.send_invitation(request.user, obj, base_url=request.build_absolute_uri("/"))


@admin.register(ApiToken)
class ApiTokenAdmin(SimpleHistoryAdmin):
    """Tokens are made by their owners; ISU can see and revoke them, never read them."""

    list_display = ("name", "user", "scope", "hint", "created", "last_used", "revoked")
    list_filter = ("scope",)
    search_fields = ("name", "user__email")
    readonly_fields = ("user", "name", "scope", "hint", "created", "last_used")

    def has_add_permission(self, request):
        return False


class ReadOnly:
    """The audit trail is read, never written, in the back office."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AccountEvent)
class AccountEventAdmin(ReadOnly, admin.ModelAdmin):
    """Who signed in, changed a password, set up or removed a second factor, deactivated
    an account or gave administrator or staff rights, and when."""

    list_display = ("created", "email", "kind", "actor_email", "detail")
    list_filter = ("kind",)
    search_fields = ("email", "actor_email", "detail")
    date_hierarchy = "created"
    fields = ("created", "kind", "email", "user", "actor_email", "actor", "detail")
    list_select_related = ("user", "actor")


class AccountEventInline(ReadOnly, admin.TabularInline):
    model = AccountEvent
    fk_name = "user"
    fields = ("created", "kind", "actor_email", "detail")
    readonly_fields = fields
    extra = 0
    max_num = 0
    ordering = ("-created", "-pk")
    verbose_name_plural = _("account history")

    def get_queryset(self, request):
        # The newest first, fifty at most: the full list is on the account events page.
        queryset = super().get_queryset(request)
        ids = list(queryset.order_by("-created", "-pk").values_list("pk", flat=True)[:50])
        return queryset.filter(pk__in=ids)


User = get_user_model()
admin.site.unregister(User)


@admin.register(User)
class AccountAdmin(UserAdmin):
    """People's accounts, with their account history. A password set here revokes the
    person's API tokens and is recorded, as on the site."""

    inlines = [AccountEventInline]

    def user_change_password(self, request, id, form_url=""):
        response = super().user_change_password(request, id, form_url)
        if request.method == "POST" and response.status_code == 302:
            user = User.objects.get(pk=id)
            revoked = events.password_replaced(user, actor=request.user, reason="password set in the back office")
            events.record(
                events.Kind.PASSWORD_SET,
                user,
                actor=request.user,
                detail=f"{revoked} API tokens revoked" if revoked else "",
            )
        return response
