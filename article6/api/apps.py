from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "article6.api"
    label = "api"
    verbose_name = "API"
