from django.apps import AppConfig, apps
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "article6.accounts"
    label = "accounts"
    verbose_name = _("Accounts")

    def ready(self):
        from article6.accounts.permissions import grant_back_office

        grant_back_office(apps.get_models())
