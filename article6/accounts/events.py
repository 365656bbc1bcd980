"""The audit trail of the accounts themselves: sign-ins, passwords changed or reset,
second factors set up or removed, deactivation, administrator and staff rights, an
e-mail address changed, invitations accepted or withdrawn. Each is an AccountEvent with
who it happened to, who did it and when; ISU reads them in the back office.

The changes are caught where they are stored (the user record, the authenticators),
whatever path made them: the site's pages, the back office, a command. What follows
from them is done here too: a new password revokes the person's API tokens; a person
who may no longer invite has their pending invitations withdrawn."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from article6.accounts.models import AccountEvent, AccountEventKind, ApiToken, Invitation

Kind = AccountEventKind


def current_request():
    """The request being answered, if any (kept by the audit trail's middleware)."""
    from simple_history.models import HistoricalRecords

    return getattr(HistoricalRecords.context, "request", None)


def _actor(actor=None):
    if actor is not None:
        return actor
    request = current_request()
    user = getattr(request, "user", None)
    return user if getattr(user, "is_authenticated", False) else None


def record(kind: str, user, *, actor=None, detail: str = "") -> AccountEvent:
    """Store one event about `user`'s account; `actor` defaults to the person signed in
    for the current request (none for a command or an anonymous page such as a reset)."""
    actor = _actor(actor)
    return AccountEvent.objects.create(
        kind=kind,
        user=user,
        email=user.email or user.get_username(),
        actor=actor,
        actor_email=(actor.email or actor.get_username()) if actor is not None else "",
        detail=detail[:300],
    )


# --- Passwords and API tokens -------------------------------------------------------------


@transaction.atomic
def revoke_tokens(user, *, actor=None, reason: str = "") -> int:
    """Revoke every active API token of `user`; returns how many."""
    tokens = list(ApiToken.objects.select_for_update().filter(user=user, revoked__isnull=True))
    now = timezone.now()
    for token in tokens:
        token.revoked = now
        token._history_user = _actor(actor)
        token.save(update_fields=["revoked"])
    if tokens:
        record(
            Kind.TOKENS_REVOKED, user, actor=actor, detail=f"{len(tokens)} ({reason})" if reason else str(len(tokens))
        )
    return len(tokens)


def password_replaced(user, *, actor=None, reason: str = "") -> int:
    """A new password was stored for `user`: revoke their tokens (a token must not outlive
    the password that let it be made). Returns how many tokens were revoked, and keeps
    that on `user` for the message and the e-mail that follow. Storing the password has
    already done it (`user_post_save`, whatever path saved it); the count is then read
    from that save rather than revoking twice."""
    already = getattr(user, "_article6_revoked_tokens", None)
    if already is not None:
        return already
    revoked = revoke_tokens(user, actor=actor, reason=reason)
    user._article6_revoked_tokens = revoked
    return revoked


# --- Back-office rights and invitations -----------------------------------------------------


def may_invite(user_id) -> bool:
    """Whether the person (read afresh) may still invite: active, and ISU staff or administrator."""
    user = get_user_model().objects.filter(pk=user_id).first()
    return user is not None and user.is_active and user.has_perm("accounts.invite")


def withdraw_invitations_of(user_id, *, actor=None) -> int:
    """Withdraw the pending invitations sent by a person who may no longer invite."""
    if may_invite(user_id):
        return 0
    pending = list(Invitation.objects.filter(invited_by_id=user_id, accepted__isnull=True, withdrawn__isnull=True))
    now = timezone.now()
    for invitation in pending:
        invitation.withdrawn = now
        invitation._history_user = _actor(actor)
        invitation.save(update_fields=["withdrawn"])
    if pending:
        inviter = get_user_model().objects.get(pk=user_id)
        emails = ", ".join(invitation.email for invitation in pending)
        record(Kind.INVITATIONS_WITHDRAWN, inviter, actor=actor, detail=emails)
    return len(pending)


# --- What is caught where it is stored ---------------------------------------------------------

WATCHED = {
    "is_active": (Kind.REACTIVATED, Kind.DEACTIVATED),
    "is_superuser": (Kind.SUPERUSER_GRANTED, Kind.SUPERUSER_REMOVED),
    "is_staff": (Kind.STAFF_GRANTED, Kind.STAFF_REMOVED),
}


def user_pre_save(sender, instance, raw=False, update_fields=None, **kwargs):
    from article6.accounts.emails import normalise_email

    if raw:
        return
    instance.email = normalise_email(instance.email)
    instance._article6_changes = []
    if instance.pk is None or instance._state.adding:
        return
    watched = [*WATCHED, "email", "password"]
    if update_fields is not None and not set(update_fields) & set(watched):
        return
    stored = sender._default_manager.filter(pk=instance.pk).values(*watched).first()
    if stored is None:
        return
    # A new password, however it is stored (the site, the back office, a command such as
    # changepassword): the tokens are revoked once it is saved.
    instance._article6_password_replaced = stored["password"] != instance.password
    if instance._article6_password_replaced:
        instance._article6_revoked_tokens = None
    for name, (granted, removed) in WATCHED.items():
        if stored[name] != getattr(instance, name):
            instance._article6_changes.append((granted if getattr(instance, name) else removed, ""))
    if stored["email"] != instance.email:
        instance._article6_changes.append((Kind.EMAIL_CHANGED, f"{stored['email']} → {instance.email}"))


def user_post_save(sender, instance, created=False, raw=False, **kwargs):
    if raw:
        return
    changes = getattr(instance, "_article6_changes", [])
    instance._article6_changes = []
    if getattr(instance, "_article6_password_replaced", False):
        instance._article6_password_replaced = False
        password_replaced(instance, reason="new password")
    for kind, detail in changes:
        record(kind, instance, detail=detail)
    if any(kind in (Kind.DEACTIVATED, Kind.SUPERUSER_REMOVED) for kind, _detail in changes):
        withdraw_invitations_of(instance.pk)


def role_saved(sender, instance, created=False, raw=False, **kwargs):
    """A role changed (not a new one) may take the right to invite away."""
    if not created and not raw:
        withdraw_invitations_of(instance.user_id)


def role_deleted(sender, instance, **kwargs):
    if instance.kind == "isu_staff":
        withdraw_invitations_of(instance.user_id)


def email_address_pre_save(sender, instance, raw=False, **kwargs):
    from article6.accounts.emails import normalise_email

    if not raw:
        instance.email = normalise_email(instance.email)


AUTHENTICATOR_NAMES = {
    "totp": "authenticator app (TOTP)",
    "recovery_codes": "recovery codes",
    "webauthn": "security key",
}


def authenticator_saved(sender, instance, created=False, raw=False, **kwargs):
    if created and not raw:
        record(Kind.SECOND_FACTOR_ADDED, instance.user, detail=AUTHENTICATOR_NAMES.get(instance.type, instance.type))
        if instance.type == "totp":
            second_factor_set_up(instance)


def authenticator_deleted(sender, instance, **kwargs):
    """Recorded once the deletion is committed, and only if the account itself remains
    (deleting an account deletes its authenticators too)."""
    user_id, detail, actor = instance.user_id, AUTHENTICATOR_NAMES.get(instance.type, instance.type), _actor()

    def after_commit():
        user = get_user_model().objects.filter(pk=user_id).first()
        if user is not None:
            record(Kind.SECOND_FACTOR_REMOVED, user, actor=actor, detail=detail)

    transaction.on_commit(after_commit)


def recovery_codes_renewed(sender, request=None, user=None, authenticator=None, **kwargs):
    if user is not None and getattr(authenticator, "type", "") == "recovery_codes":
        record(Kind.RECOVERY_CODES_RENEWED, user)


def second_factor_set_up(authenticator) -> None:
    """Setting up an authenticator app proves its code, in this session: the session has
    then passed a second factor, as a sign-in with the code would have."""
    from allauth.account.internal.flows.login import record_authentication

    request = current_request()
    user = getattr(request, "user", None)
    if getattr(user, "is_authenticated", False) and user.pk == authenticator.user_id and hasattr(request, "session"):
        record_authentication(request, user, "mfa", id=authenticator.pk, type="totp", activated=True)


def signed_in(sender, request=None, user=None, **kwargs):
    from allauth.account.authentication import get_authentication_records

    methods = []
    if request is not None and hasattr(request, "session"):
        for entry in get_authentication_records(request, user):
            method = entry.get("type") or entry.get("method")
            if method and method not in methods:
                methods.append(method)
    record(Kind.SIGNED_IN, user, actor=user, detail=", ".join(methods))


def password_event(kind):
    def receiver(sender, request=None, user=None, **kwargs):
        revoked = getattr(user, "_article6_revoked_tokens", 0)
        # Through the site's pages, only the person changes, resets or sets their password.
        record(kind, user, actor=user, detail=f"{revoked} API tokens revoked" if revoked else "")

    return receiver


def connect() -> None:
    from allauth.account import signals as account_signals
    from allauth.account.models import EmailAddress
    from allauth.mfa import signals as mfa_signals
    from allauth.mfa.models import Authenticator
    from django.contrib.auth.signals import user_logged_in
    from django.db.models.signals import post_delete, post_save, pre_save

    from article6.accounts.models import Role

    users = get_user_model()
    pre_save.connect(user_pre_save, sender=users, dispatch_uid="article6-account-pre-save")
    post_save.connect(user_post_save, sender=users, dispatch_uid="article6-account-post-save")
    pre_save.connect(email_address_pre_save, sender=EmailAddress, dispatch_uid="article6-email-address")
    post_save.connect(role_saved, sender=Role, dispatch_uid="article6-role-saved")
    post_delete.connect(role_deleted, sender=Role, dispatch_uid="article6-role-deleted")
    post_save.connect(authenticator_saved, sender=Authenticator, dispatch_uid="article6-authenticator-saved")
    post_delete.connect(authenticator_deleted, sender=Authenticator, dispatch_uid="article6-authenticator-deleted")
    mfa_signals.authenticator_reset.connect(recovery_codes_renewed, dispatch_uid="article6-recovery-codes")
    user_logged_in.connect(signed_in, dispatch_uid="article6-signed-in")
    account_signals.password_changed.connect(
        password_event(Kind.PASSWORD_CHANGED), weak=False, dispatch_uid="article6-password-changed"
    )
    account_signals.password_reset.connect(
        password_event(Kind.PASSWORD_RESET), weak=False, dispatch_uid="article6-password-reset"
    )
    account_signals.password_set.connect(
        password_event(Kind.PASSWORD_CHANGED), weak=False, dispatch_uid="article6-password-set"
    )
