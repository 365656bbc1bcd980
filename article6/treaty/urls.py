from django.urls import path

from article6.treaty import views

app_name = "treaty"
urlpatterns = [
    path("deadlines/", views.deadlines, name="deadlines"),
    path("deadlines.ics", views.deadlines_ics, name="deadlines_ics"),
]
