from django.apps import AppConfig, apps
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "article6.accounts"
    label = "accounts"
    verbose_name = _("Accounts")

    def ready(self):
        from article6.accounts import events
        from article6.accounts.permissions import grant_back_office

        grant_back_office(apps.get_models())
        events.connect()
        count_limits_in_the_shared_store()


def count_limits_in_the_shared_store() -> None:
    """django-allauth counts failed sign-ins, second-factor and reset attempts, and the
    second-factor codes already used, in Django's default cache, which is one per
    process. They are counted in the "limits" cache instead (a database table), which
    every process shares and a restart keeps."""
    from allauth.core.internal import ratelimit
    from allauth.mfa.totp.internal import auth as totp
    from django.core.cache import caches
    from django.utils.connection import ConnectionProxy

    ratelimit.cache = totp.cache = ConnectionProxy(caches, "limits")
