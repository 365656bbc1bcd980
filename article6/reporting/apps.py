from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportingConfig(AppConfig):
    name = "article6.reporting"
    label = "reporting"
    verbose_name = _("Transparency reporting (Art. 7)")
