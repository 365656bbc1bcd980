from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StatesConfig(AppConfig):
    name = "article6.states"
    label = "states"
    verbose_name = _("States and organisations")
