from django.urls import path

from article6.api.endpoints import api

urlpatterns = [path("", api.urls)]
