from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TreatyConfig(AppConfig):
    name = "article6.treaty"
    label = "treaty"
    verbose_name = _("The Convention's obligations and deadlines")
