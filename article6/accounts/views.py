"""The accounts pages: my account, invitations (ISU), accepting an invitation, API tokens.

Views are thin: the permission layer decides who may do what, and the invitation
functions (accounts.invitations) do the work."""

from __future__ import annotations

from allauth.account.internal.flows.login import record_authentication
from allauth.account.utils import perform_login
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from article6.accounts import invitations
from article6.accounts.forms import AcceptInvitationForm, ApiTokenForm, InvitationForm
from article6.accounts.models import ApiToken, Invitation
from article6.accounts.permissions import require, roles_of
from article6.paging import page_of
from article6.redirects import with_next

INVITATIONS_PER_PAGE = 50


@login_required
def my_account(request):
    tokens = list(ApiToken.objects.filter(user=request.user, revoked__isnull=True))
    return render(request, "accounts/me.html", {"roles": roles_of(request.user), "tokens": tokens})


@login_required
def invitation_list(request):
    require(request.user, "accounts.invite")
    form = InvitationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        invitation = invitations.send_invitation(
            request.user, form.save(commit=False), base_url=request.build_absolute_uri("/")
        )
        messages.success(request, _("Invitation sent to %(email)s.") % {"email": invitation.email})
        return redirect("accounts:invitations")
    sent = Invitation.objects.select_related("state", "organisation", "invited_by").order_by("-created")
    page, page_message = page_of(request, sent, INVITATIONS_PER_PAGE)
    return render(
        request,
        "accounts/invitations.html",
        {"form": form, "page": page, "page_message": page_message, "now": timezone.now()},
    )


def accept_invitation(request, token: str):
    """A new address chooses a password here. An address that already has an account is
    never signed in by the link: its owner signs in as usual, then accepts here."""
    invitation = invitations.usable_invitation(token)
    if invitation is None:
        return render(request, "accounts/invitation_unusable.html", status=404)
    existing = invitations.existing_account(invitation)
    if existing is not None:
        return _accept_as_existing_account(request, invitation, existing)
    form = AcceptInvitationForm(request.POST or None, invitation=invitation)
    if request.method == "POST" and form.is_valid():
        user = invitations.accept(invitation, form.cleaned_data["password1"], form.cleaned_data["name"])
        messages.success(request, _("Welcome. Your account is ready."))
        # The password was typed just now: it counts as this session's sign-in with a password.
        record_authentication(request, user, "password", email=user.email)
        # Signs in through allauth, so a second factor is asked for where it applies.
        return perform_login(request, user, email_verification="none", redirect_url="/accounts/me/")
    return render(request, "accounts/accept_invitation.html", {"form": form, "invitation": invitation})


def _accept_as_existing_account(request, invitation, existing):
    here = request.get_full_path()
    if not request.user.is_authenticated:
        context = {"invitation": invitation, "sign_in": with_next("account_login", here)}
        return render(request, "accounts/accept_invitation_existing.html", context)
    if request.user != existing:
        context = {"invitation": invitation, "other_account": True}
        return render(request, "accounts/accept_invitation_existing.html", context, status=403)
    if request.method == "POST":
        role = invitations.accept_as(invitation, request.user)
        messages.success(request, _("The role %(role)s is added to your account.") % {"role": role})
        return redirect("accounts:me")
    return render(request, "accounts/accept_invitation_existing.html", {"invitation": invitation})


@login_required
def token_list(request):
    form = ApiTokenForm(request.POST or None)
    created = None
    if request.method == "POST" and form.is_valid():
        token, raw = form.issue(request.user)
        created = {"token": token, "raw": raw}
        form = ApiTokenForm()
    tokens = list(ApiToken.objects.filter(user=request.user))
    return render(request, "accounts/tokens.html", {"form": form, "tokens": tokens, "created": created})


@login_required
@require_POST
def token_revoke(request, pk: int):
    # Only the owner's own tokens are found: another person's token is a 404.
    token = get_object_or_404(ApiToken, pk=pk, user=request.user)
    if token.revoked is None:
        token.revoked = timezone.now()
        token.save(update_fields=["revoked"])
        messages.success(request, _("The token “%(name)s” is revoked.") % {"name": token.name})
    return redirect("accounts:tokens")


def forbidden(request, exception=None):
    """The 403 page: says what the person lacks rather than a bare error."""
    reason = str(exception) if exception is not None and str(exception) else ""
    return render(request, "403.html", {"exception": reason}, status=403)


def sign_in(request, *args, **kwargs):
    """allauth's sign-in form, answered 429 with Retry-After (a page saying how long to wait)
    while the e-mail typed, or the address it comes from, has too many failed sign-ins
    (accounts.limits); the password is then not checked at all."""
    from allauth.account.views import login
    from django.shortcuts import render

    from article6.accounts import limits
    from article6.accounts.adapter import client_address

    if request.method == "POST":
        seconds = limits.retry_after(account=request.POST.get("login", ""), address=client_address(request))
        if seconds:
            response = render(request, "429.html", {"retry_after": seconds, "minutes": -(-seconds // 60)}, status=429)
            response["Retry-After"] = str(seconds)
            return response
    return login(request, *args, **kwargs)
