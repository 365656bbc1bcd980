"""Accounts come from invitations sent by ISU staff, never from open sign-up.

ISU staff invite a person (an e-mail address) to a role; the person follows the
link in the e-mail, chooses a password, and the account exists with that role. A
person who already has an account is never signed in by the link: they sign in as
usual (with their second factor where it applies), and the role is added then.

What the e-mail promised (address, role, scope) is fixed once it is sent
(Invitation.save refuses a change). An invitation from a person who may no longer
invite is withdrawn, and its link no longer works."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from article6.accounts import events
from article6.accounts.emails import normalise_email
from article6.accounts.models import AccountEventKind, Invitation, Role
from article6.accounts.permissions import forget_roles, require


@transaction.atomic
def send_invitation(inviter, invitation: Invitation, *, base_url: str) -> Invitation:
    """Store the invitation and e-mail its link. The invitation has been validated
    (Invitation.clean) by the form."""
    require(inviter, "accounts.invite")
    invitation.invited_by = inviter
    invitation._history_user = inviter
    invitation.full_clean()
    invitation.save()
    link = base_url.rstrip("/") + reverse("accounts:accept_invitation", args=[invitation.token])
    context = {"invitation": invitation, "link": link, "inviter": inviter}
    send_mail(
        subject=_("article6: you are invited as %(role)s") % {"role": invitation.get_kind_display()},
        message=render_to_string("accounts/email/invitation.txt", context),
        from_email=None,
        recipient_list=[invitation.email],
    )
    return invitation


def usable_invitation(token: str) -> Invitation | None:
    """The invitation of `token` if it may still be accepted. One whose sender may no
    longer invite is withdrawn here (whatever took the right away)."""
    invitation = Invitation.objects.select_related("state", "organisation").filter(token=token).first()
    if invitation is None or not invitation.is_usable:
        return None
    if not events.may_invite(invitation.invited_by_id):
        events.withdraw_invitations_of(invitation.invited_by_id)
        return None
    return invitation


def existing_account(invitation: Invitation):
    """The account that already holds the invited address, if any."""
    from allauth.account.models import EmailAddress

    email = normalise_email(invitation.email)
    users = get_user_model()
    user = users.objects.filter(email__iexact=email).first()
    if user is None:
        address = EmailAddress.objects.filter(email__iexact=email).select_related("user").first()
        user = address.user if address is not None else None
    return user


def _lock_usable(invitation: Invitation) -> Invitation:
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if not invitation.is_usable or not events.may_invite(invitation.invited_by_id):
        raise PermissionDenied(_("This invitation has been used, withdrawn or has expired."))
    return invitation


def _grant(invitation: Invitation, user) -> Role:
    role, _created = Role.objects.get_or_create(
        user=user,
        kind=invitation.kind,
        state=invitation.state,
        organisation=invitation.organisation,
        thematic_area=invitation.thematic_area,
    )
    invitation.accepted = timezone.now()
    invitation._history_user = user
    invitation.save(update_fields=["accepted"])
    forget_roles(user)
    events.record(AccountEventKind.INVITATION_ACCEPTED, user, actor=user, detail=str(role))
    return role


@transaction.atomic
def accept(invitation: Invitation, password: str, name: str = ""):
    """Create the account for the invited address with the chosen password, give it the
    invited role, and mark the invitation used. Returns the user. Refused when an
    account already holds the address: its owner accepts by signing in (accept_as)."""
    from allauth.account.models import EmailAddress

    invitation = _lock_usable(invitation)
    if existing_account(invitation) is not None:
        raise PermissionDenied(_("An account already uses this address: sign in to accept the invitation."))
    users = get_user_model()
    user = users(username=invitation.email, email=invitation.email, first_name=name[:150])
    user.set_password(password)
    user.save()
    EmailAddress.objects.update_or_create(
        user=user, email=invitation.email, defaults={"verified": True, "primary": True}
    )
    _grant(invitation, user)
    return user


@transaction.atomic
def accept_as(invitation: Invitation, user) -> Role:
    """The holder of an existing account, signed in as themself, accepts an invitation
    sent to their address: the role is added to their account."""
    invitation = _lock_usable(invitation)
    if existing_account(invitation) != user or not user.is_authenticated:
        raise PermissionDenied(_("This invitation is for another account."))
    return _grant(invitation, user)
