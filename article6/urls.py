from django.contrib import admin
from django.contrib.auth.decorators import login_required
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

admin.site.site_header = _("article6 administration")
admin.site.site_title = _("article6")
admin.site.index_title = _("Implementation Support Unit back office")
# The back office signs in through the site's own sign-in, with its second factor,
# never through the admin's password-only form.
admin.site.login = login_required(admin.site.login)


def isu_only(request) -> bool:
    """The back office is for ISU staff (and the administrator), through the permission layer."""
    from article6.accounts.permissions import is_isu

    return request.user.is_active and is_isu(request.user)


admin.site.has_permission = isu_only
handler403 = "article6.accounts.views.forbidden"

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/", include("article6.accounts.urls")),
    path("accounts/", include("allauth.urls")),
    path("api/v1/", include("article6.api.urls")),
    path("admin/", admin.site.urls),
    path("", include("article6.states.urls")),
    path("", include("article6.treaty.urls")),
    path("", include("article6.assistance.urls")),
    path("", include("article6.reporting.urls")),
]
