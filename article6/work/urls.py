from django.urls import path

from article6.work import views

app_name = "work"

urlpatterns = [
    path("work/", views.queue, name="queue"),
]
