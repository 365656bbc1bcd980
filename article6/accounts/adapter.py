import time

from allauth.account.adapter import DefaultAccountAdapter
from django.contrib import messages
from django.utils.translation import ngettext

from article6.accounts.emails import normalise_email


def client_address(request) -> str:
    """The address a request comes from, as allauth's own limits read it."""
    from allauth.account.adapter import get_adapter

    return get_adapter(request).get_client_ip(request)


class InvitationOnlyAdapter(DefaultAccountAdapter):
    """No open sign-up: accounts come from invitations sent by ISU staff. Addresses are
    compared in one form (accounts.emails); redirects follow the site's one rule
    (article6.redirects); a new password revokes the person's API tokens."""

    def is_open_for_signup(self, request) -> bool:
        return False

    def clean_email(self, email: str) -> str:
        return normalise_email(super().clean_email(email))

    def authentication_failed(self, request, **credentials) -> None:
        """A wrong password (or an unknown e-mail) counts towards the sign-in limits."""
        from article6.accounts import limits

        super().authentication_failed(request, **credentials)
        account = credentials.get("email") or credentials.get("username") or ""
        limits.failed(account=account, address=client_address(request))

    def is_safe_url(self, url: str) -> bool:
        from allauth.core import context

        from article6.redirects import is_safe

        return is_safe(context.request, url)

    def is_reauthentication_required(self, *, app: str, **kwargs) -> bool:
        """Setting up a first authenticator app right after signing in does not ask for
        the password once more: it was typed moments ago (within the re-authentication
        timeout). Removing a factor or renewing recovery codes still asks, as always."""
        from allauth.account import app_settings
        from allauth.account.authentication import get_authentication_records
        from allauth.core import context
        from django.urls import reverse

        from article6.accounts.middleware import has_totp

        request = context.request
        user = getattr(request, "user", None)
        if (
            request is not None
            and getattr(user, "is_authenticated", False)
            and request.path == reverse("mfa_activate_totp")
            and not has_totp(user)
            and any(
                record.get("method") == "password"
                and time.time() - record.get("at", 0) < app_settings.REAUTHENTICATION_TIMEOUT
                for record in get_authentication_records(request, user)
            )
        ):
            return False
        return super().is_reauthentication_required(app=app, **kwargs)

    def set_password(self, user, password: str) -> None:
        """Every new password (changed, reset by e-mail, set) revokes the API tokens:
        a token never outlives the password that let it be made."""
        from article6.accounts import events

        super().set_password(user, password)
        # On the site, a password is changed, reset or set by the person themself.
        revoked = events.password_replaced(user, actor=user, reason="new password")
        if revoked and self.request is not None:
            messages.warning(
                self.request,
                ngettext(
                    "With the new password, your API token was revoked: create a new one for your scripts.",
                    "With the new password, your %(count)d API tokens were revoked: create new ones for your scripts.",
                    revoked,
                )
                % {"count": revoked},
            )

    def send_notification_mail(self, template_prefix, user, context=None, email=None) -> None:
        context = {**(context or {}), "revoked_tokens": getattr(user, "_article6_revoked_tokens", 0)}
        super().send_notification_mail(template_prefix, user, context, email)
