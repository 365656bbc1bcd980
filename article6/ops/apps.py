from django.apps import AppConfig


class OpsConfig(AppConfig):
    name = "article6.ops"
    label = "ops"
    verbose_name = "Operations"
