from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from article6.accounts import backoffice
from article6.accounts import views as accounts_views
from article6.ops import health, trivial
from article6.redirects import set_language

admin.site.site_header = _("article6 administration")
admin.site.site_title = _("article6")
admin.site.index_title = _("Implementation Support Unit back office")
# The back office signs in through the site's own sign-in, with its second factor, never
# through the admin's password-only form; each page asks the same (accounts.backoffice).
admin.site.login = backoffice.login
admin.site.password_change = backoffice.password_change
admin.site.has_permission = backoffice.may_enter
handler403 = "article6.accounts.views.forbidden"

urlpatterns = [
    # For the load balancer and the supervisor (article6.ops.health).
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    # Django's language switch, its redirect checked by the site's one rule (article6.redirects).
    path("i18n/setlang/", set_language, name="set_language"),
    # Before allauth's own: the sign-in form with its limit (accounts.limits).
    path("accounts/login/", accounts_views.sign_in, name="account_login"),
    path("accounts/", include("article6.accounts.urls")),
    path("accounts/", include("allauth.urls")),
    path("api/v1/", include("article6.api.urls")),
    path("admin/", admin.site.urls),
    path("", include("article6.states.urls")),
    path("", include("article6.treaty.urls")),
    path("", include("article6.assistance.urls")),
    path("", include("article6.reporting.urls")),
    path("", include("article6.work.urls")),
    path("", include("article6.ops.urls")),
]
# The load test's yardstick (bench/load.py), never a route unless the bench turns it on.
if settings.ARTICLE6_BENCH_TRIVIAL_VIEW:
    urlpatterns += trivial.urlpatterns
