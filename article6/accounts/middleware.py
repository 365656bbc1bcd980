"""Coordinators and ISU staff must sign in with a second factor (TOTP); what is answered
to an identified person is never kept by a shared cache or the browser's history."""

from django.http import JsonResponse
from django.shortcuts import redirect
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.translation import gettext as _

from article6.accounts.models import ROLES_REQUIRING_TWO_FACTOR
from article6.redirects import with_next


def requires_two_factor(user) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    from article6.accounts.permissions import roles_of

    return user.is_superuser or any(r.kind in ROLES_REQUIRING_TWO_FACTOR for r in roles_of(user))


def has_totp(user) -> bool:
    from allauth.mfa.models import Authenticator

    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


class RequireTwoFactorMiddleware:
    """Until a coordinator or ISU staff member has set up TOTP, every page but the
    set-up itself, sign-in and sign-out, accepting an invitation, password reset and
    static files leads to the set-up page; an API call gets a JSON 403 saying so."""

    ALLOWED_PREFIXES = (
        "/accounts/login/",
        "/accounts/logout/",
        "/accounts/2fa/",
        "/accounts/reauthenticate/",
        "/accounts/password/reset/",
        "/accounts/invitation/",
        "/static/",
        "/i18n/",
    )

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and not request.path.startswith(self.ALLOWED_PREFIXES)
            and requires_two_factor(user)
            and not has_totp(user)
        ):
            if request.path.startswith("/api/"):
                return JsonResponse(
                    {"detail": _("Set up two-factor authentication (TOTP) for your account first.")}, status=403
                )
            return redirect(with_next("mfa_activate_totp", request.get_full_path()))
        return self.get_response(request)


class PrivateResponsesMiddleware:
    """Every answer to a signed-in person, and every API answer to a caller who sent a
    token (or a session cookie), may hold what others may not read: it is marked
    `Cache-Control: private, no-store`, so that neither a shared cache nor the back button
    of a shared computer after signing out shows it again."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        identified = (
            getattr(user, "is_authenticated", False)
            or "HTTP_AUTHORIZATION" in request.META
            or getattr(request, "auth", None) is not None
        )
        if identified:
            patch_cache_control(response, private=True, no_store=True)
            patch_vary_headers(response, ("Cookie", "Authorization"))
        return response
