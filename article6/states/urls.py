from django.urls import path

from article6.states import views

app_name = "states"
urlpatterns = [
    path("", views.home, name="home"),
    path("states/", views.state_list, name="list"),
    path("states/<str:iso3>/", views.state_detail, name="detail"),
    path("states/<str:iso3>/profile/", views.edit_state_profile, name="edit_profile"),
    path("states/<str:iso3>/history/", views.state_history, name="history"),
    path("organisations/", views.organisation_list, name="organisations"),
    path("organisations/<int:pk>/", views.organisation_detail, name="organisation"),
    path("organisations/<int:pk>/profile/", views.edit_organisation_profile, name="edit_organisation_profile"),
    path("organisations/<int:pk>/history/", views.organisation_history, name="organisation_history"),
    path("isu/declarations/", views.declarations_awaiting, name="declarations"),
    path("isu/declarations/<str:kind>/<int:pk>/", views.review_declaration, name="review_declaration"),
]
