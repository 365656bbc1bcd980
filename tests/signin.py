"""Signing in for the tests: through the site's own sign-in (password, then the code of
the authenticator app), or, where a test is about something else, by putting in the
session what that sign-in leaves there (allauth's record of the methods used)."""

from __future__ import annotations

import time

from people import PASSWORD

from article6.accounts.totp import current_code


def totp_secret(user) -> str:
    from allauth.mfa.models import Authenticator

    return Authenticator.objects.get(user=user, type=Authenticator.Type.TOTP).data["secret"]


def sign_in(client, user, password: str = PASSWORD, *, login: str | None = None):
    """The real sign-in: the password form, then the second factor if the account has one.
    Returns the last response."""
    client.logout()
    response = client.post("/accounts/login/", {"login": login or user.email, "password": password})
    if response.status_code == 302 and response["Location"].startswith("/accounts/2fa/authenticate/"):
        response = client.post("/accounts/2fa/authenticate/", {"code": current_code(totp_secret(user))})
    return response


def force_login_with_second_factor(client, user) -> None:
    """force_login, and the session's record of a sign-in with the password and the
    authenticator app, as the real sign-in leaves it (allauth's session keys)."""
    from allauth.account.authentication import AUTHENTICATION_METHODS_SESSION_KEY

    client.force_login(user)
    session = client.session
    now = time.time()
    session[AUTHENTICATION_METHODS_SESSION_KEY] = [
        {"method": "password", "at": now, "email": user.email},
        {"method": "mfa", "at": now, "type": "totp"},
    ]
    session["account_authentication_methods_user"] = str(user.pk)
    session.save()
