"""Accounts come from invitations sent by ISU staff, never from open sign-up.

ISU staff invite a person (an e-mail address) to a role; the person follows the
link in the e-mail, chooses a password, and the account exists with that role. A
person who already has an account gets the new role added to it."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from article6.accounts.models import Invitation, Role
from article6.accounts.permissions import forget_roles


@transaction.atomic
def send_invitation(inviter, invitation: Invitation, *, base_url: str) -> Invitation:
    """Store the invitation and e-mail its link. The invitation has been validated
    (Invitation.clean) by the form."""
    if not inviter.has_perm("accounts.invite"):
        raise PermissionDenied(_("Only ISU staff invite people."))
    invitation.invited_by = inviter
    invitation._history_user = inviter
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
    invitation = Invitation.objects.select_related("state", "organisation").filter(token=token).first()
    return invitation if invitation is not None and invitation.is_usable else None


@transaction.atomic
def accept(invitation: Invitation, password: str, name: str = ""):
    """Create the account (or find the existing one for that address), give it the
    invited role, and mark the invitation used. Returns the user."""
    from allauth.account.models import EmailAddress

    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if not invitation.is_usable:
        raise PermissionDenied(_("This invitation has been used or has expired."))
    users = get_user_model()
    user = users.objects.filter(email__iexact=invitation.email).first()
    if user is None:
        user = users(username=invitation.email, email=invitation.email, first_name=name[:150])
        user.set_password(password)
        user.save()
    EmailAddress.objects.update_or_create(
        user=user, email=invitation.email, defaults={"verified": True, "primary": True}
    )
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
    return user
