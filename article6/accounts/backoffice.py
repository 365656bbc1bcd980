"""The way into the back office (Django's admin): only through the site's own sign-in,
with its second factor, and only for ISU staff and the administrator.

The admin's own password form is never shown: its sign-in page sends the visitor to
the site's sign-in, a person without the right gets a 403, and a person with the right
whose session has not yet passed a second factor is asked for it (or, without an
authenticator, to set one up). Every back-office page then asks `may_enter`."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from article6.accounts.middleware import has_totp
from article6.redirects import next_from, with_next


def passed_second_factor(request) -> bool:
    """Whether this session's sign-in (or a later confirmation) used the second factor."""
    from allauth.account.authentication import get_authentication_records

    return any(record.get("method") == "mfa" for record in get_authentication_records(request, request.user))


def has_the_right(user) -> bool:
    from article6.accounts.permissions import is_isu

    return bool(user.is_authenticated and user.is_active and is_isu(user))


def may_enter(request) -> bool:
    """ISU staff and the administrator, with an authenticator, signed in with it."""
    user = request.user
    return has_the_right(user) and has_totp(user) and passed_second_factor(request)


def login(request, extra_context=None):
    """Stands in for the admin's sign-in page (GET or POST alike: no password is read here)."""
    target = next_from(request, reverse("admin:index"))
    if target.split("?")[0] == request.path:
        target = reverse("admin:index")  # never back to this page
    user = request.user
    if not user.is_authenticated:
        return redirect(with_next("account_login", target))
    if not has_the_right(user):
        raise PermissionDenied(_("The back office is for ISU staff."))
    if not has_totp(user):
        return redirect(with_next("mfa_activate_totp", target))
    if not passed_second_factor(request):
        return redirect(with_next("mfa_reauthenticate", target))
    return redirect(target)


def password_change(request, extra_context=None):
    """A password is changed on the site's own page, which revokes the API tokens and
    records the change, never through the admin's form."""
    return redirect("account_change_password")
