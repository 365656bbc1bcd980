"""Second factor (TOTP, RFC 6238) through django-allauth's MFA: set up for a person
(sample accounts, tests) and the current code for a secret."""

from __future__ import annotations

import time


def activate_totp(user, secret: str | None = None) -> str:
    """Give `user` a TOTP authenticator; returns its base32 secret."""
    from allauth.mfa.models import Authenticator
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).delete()
    secret = secret or generate_totp_secret()
    TOTP.activate(user, secret)
    return secret


def current_code(secret: str, at: float | None = None) -> str:
    """The six-digit code an authenticator app shows for `secret` now (or at `at`). Read
    now in the last two seconds of its period, it waits for the next code, as a person
    would: the server checks codes against the period it receives them in."""
    from allauth.mfa import app_settings
    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

    if at is None:
        left = app_settings.TOTP_PERIOD - time.time() % app_settings.TOTP_PERIOD
        if left < 2:
            time.sleep(left + 0.05)
    counter = int(at if at is not None else time.time()) // app_settings.TOTP_PERIOD
    return format_hotp_value(hotp_value(secret, counter))
