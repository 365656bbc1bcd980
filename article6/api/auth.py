"""Who calls the API: a personal API token, or the browser's signed-in session.

A token is sent as `Authorization: Bearer a6_…`; only its SHA-256 hash is stored,
so it is looked up by hash. A revoked or unknown token, or one whose owner's account
is deactivated, gets a 401. A read-only token may only read (GET, HEAD, OPTIONS).
The person a token identifies becomes `request.user` for the operation, so the
permission layer and the audit trail see that person.

The signed-in session works too, and then every unsafe method needs the CSRF token
(the `csrftoken` cookie's value in the `X-CSRFToken` header), as on the pages.

Operations that only read public figures take `OPTIONAL`: anonymous callers are
welcome, and a token or a session, when sent, still identifies the caller (a bad
token is refused rather than ignored). Every other operation takes `REQUIRED`.
"""

from __future__ import annotations

import time

from django.contrib.auth.models import AnonymousUser
from django.db.models import Case, F, When
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja.errors import AuthenticationError, AuthorizationError
from ninja.security import HttpBearer
from ninja.security import SessionAuth as NinjaSessionAuth
from ninja.utils import check_csrf

from article6.accounts.middleware import has_totp, requires_two_factor
from article6.accounts.models import ApiToken, TokenScope, hash_token

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class TooManyWrites(Exception):
    """A token wrote more than its limit in the current minute: a 429 with Retry-After."""

    def __init__(self, retry_after: int, limit: int):
        super().__init__(retry_after, limit)
        self.retry_after = retry_after
        self.limit = limit


def writes_allowed(token: ApiToken, now: float) -> int:
    """The minute of this write, once checked against settings.API_TOKEN_WRITES_PER_MINUTE
    (TooManyWrites past it): a script gone wrong cannot flood the database, and the people
    using the site keep working. Counted on the token itself, read with it and written in
    the same UPDATE as its last use, so it costs no query and holds across processes."""
    from django.conf import settings

    limit = settings.API_TOKEN_WRITES_PER_MINUTE
    minute = int(now // 60)
    made = token.writes_in_minute if token.write_minute == minute else 0
    if made >= limit:
        raise TooManyWrites(retry_after=max(1, 60 * (minute + 1) - int(now)), limit=limit)
    return minute


class TokenAuth(HttpBearer):
    """A personal API token: `Authorization: Bearer a6_…`."""

    def authenticate(self, request: HttpRequest, token: str):
        # Two queries: the token with its owner, then the time it was last used.
        # (Three or four for coordinators and ISU staff: their roles, their second factor.)
        raw = token.strip()
        if not raw.startswith(ApiToken.PREFIX):
            raise AuthenticationError(message=_("This is not an article6 API token (they begin with “a6_”)."))
        found = ApiToken.objects.select_related("user").filter(key_hash=hash_token(raw)).first()
        if found is None:
            raise AuthenticationError(message=_("Unknown API token."))
        if not found.is_active:
            raise AuthenticationError(message=_("This API token was revoked."))
        user = found.user
        if not user.is_active:
            raise AuthenticationError(message=_("The account this API token belongs to is deactivated."))
        if requires_two_factor(user) and not has_totp(user):
            # Coordinators and ISU staff sign in with a second factor; their tokens
            # work only once they have set one up.
            raise AuthorizationError(
                message=_("Set up two-factor authentication (TOTP) for your account before using its API tokens.")
            )
        if found.scope != TokenScope.WRITE and request.method not in SAFE_METHODS:
            raise AuthorizationError(
                message=_("This token is read-only: it may only read. Use a read-and-write token to change data.")
            )
        used = {"last_used": timezone.now()}
        if request.method not in SAFE_METHODS:
            minute = writes_allowed(found, time.time())
            # Counted in the database, one more in this minute or the first of a new one.
            used["writes_in_minute"] = Case(When(write_minute=minute, then=F("writes_in_minute") + 1), default=1)
            used["write_minute"] = minute
        # A queryset update: no row in the token's history for each use.
        ApiToken.objects.filter(pk=found.pk).update(**used)
        request.user = user
        request.api_token = found
        return user


class SessionAuth(NinjaSessionAuth):
    """The browser's signed-in session, with the CSRF check on unsafe methods."""

    def __call__(self, request: HttpRequest):
        # The CSRF check protects a session; without one there is nothing to protect
        # (and an anonymous write gets a 401, not a CSRF error).
        if not request.user.is_authenticated:
            return None
        return super().__call__(request)

    def _get_key(self, request: HttpRequest):
        if self.csrf and not getattr(request, "_ninja_csrf_exempt", False) and check_csrf(request):
            raise AuthorizationError(
                message=_(
                    "CSRF check failed: with a signed-in session, send the csrftoken cookie's value "
                    "in the X-CSRFToken header."
                )
            )
        return request.COOKIES.get(self.param_name)


def anonymous(request: HttpRequest):
    """Nobody signed in and no token: welcome where the operation allows it."""
    return AnonymousUser()


token_auth = TokenAuth()
session_auth = SessionAuth(csrf=True)

# The caller must be identified.
REQUIRED = [token_auth, session_auth]
# Anonymous callers are welcome; a token or a session still identifies the caller.
OPTIONAL = [token_auth, session_auth, anonymous]
# For those operations, the schema says so: either way of identifying, or none (`{}`).
OPTIONAL_SECURITY = {"security": [{"TokenAuth": []}, {"SessionAuth": []}, {}]}


def user_of(request: HttpRequest):
    """The caller: the token's owner, the signed-in person, or an anonymous user."""
    return getattr(request, "user", None) or AnonymousUser()
