from django.urls import path

from article6.accounts import views

app_name = "accounts"
urlpatterns = [
    path("me/", views.my_account, name="me"),
    path("invitations/", views.invitation_list, name="invitations"),
    path("invitation/<str:token>/", views.accept_invitation, name="accept_invitation"),
    path("tokens/", views.token_list, name="tokens"),
    path("tokens/<int:pk>/revoke/", views.token_revoke, name="token_revoke"),
]
