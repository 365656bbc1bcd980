from django.urls import path

from article6.states import views

app_name = "states"
urlpatterns = [
    path("", views.home, name="home"),
    path("states/", views.state_list, name="list"),
    path("states/<str:iso3>/", views.state_detail, name="detail"),
    path("organisations/", views.organisation_list, name="organisations"),
]
