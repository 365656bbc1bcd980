"""Who may do what: roles scoped to a State, an organisation or a thematic area;
invitations (accounts are created by ISU staff, never by open sign-up); personal
API tokens; and the visibility tiers every record uses."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from article6.treaty.models import Pillar


class RoleKind(models.TextChoices):
    STATE_FOCAL_POINT = "state_focal_point", _("State focal point")
    PARTNER_FOCAL_POINT = "partner_focal_point", _("partner focal point")
    COORDINATOR = "coordinator", _("coordinator")
    ISU_STAFF = "isu_staff", _("ISU staff")


# Roles whose holders must sign in with a second factor (TOTP).
ROLES_REQUIRING_TWO_FACTOR = {RoleKind.COORDINATOR, RoleKind.ISU_STAFF}


class Visibility(models.TextChoices):
    """Who may read a record."""

    PUBLIC = "public", _("public")
    SIGNED_IN = "signed_in", _("signed-in States Parties and partners")
    RESTRICTED = "restricted", _("restricted: the parties named, coordinators and ISU")
    ISU_ONLY = "isu_only", _("ISU only")


class RoleScope(models.Model):
    """The fields that say what a role or an invitation applies to."""

    kind = models.CharField(_("role"), max_length=30, choices=RoleKind.choices)
    state = models.ForeignKey(
        "states.State", on_delete=models.CASCADE, null=True, blank=True, related_name="+", verbose_name=_("State")
    )
    organisation = models.ForeignKey(
        "states.Organisation",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("organisation"),
    )
    thematic_area = models.CharField(_("thematic area"), max_length=40, choices=Pillar.choices, blank=True)

    class Meta:
        abstract = True

    def clean(self) -> None:
        """Every role but ISU staff is scoped: a State focal point to one State; a
        partner focal point to a donor State or an organisation; a coordinator to a
        thematic area."""
        errors = {}
        if self.kind == RoleKind.STATE_FOCAL_POINT:
            if not self.state_id:
                errors["state"] = _("A State focal point belongs to one State.")
            if self.organisation_id:
                errors["organisation"] = _("A State focal point does not belong to an organisation.")
        elif self.kind == RoleKind.PARTNER_FOCAL_POINT:
            if bool(self.state_id) == bool(self.organisation_id):
                errors["organisation"] = _("A partner focal point belongs to a donor State or to an organisation.")
        elif self.kind == RoleKind.COORDINATOR:
            if not self.thematic_area:
                errors["thematic_area"] = _("A coordinator coordinates a thematic area.")
        if self.kind != RoleKind.COORDINATOR and self.thematic_area:
            errors["thematic_area"] = _("Only coordinators have a thematic area.")
        if self.kind in (RoleKind.COORDINATOR, RoleKind.ISU_STAFF) and (self.state_id or self.organisation_id):
            errors["state"] = _("This role is not tied to a State or an organisation.")
        if errors:
            raise ValidationError(errors)

    @property
    def scope_label(self) -> str:
        if self.state_id:
            return str(self.state)
        if self.organisation_id:
            return str(self.organisation)
        if self.thematic_area:
            return self.get_thematic_area_display()
        return ""


class Role(RoleScope):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="roles", verbose_name=_("person")
    )
    is_sample = models.BooleanField(_("fictional sample data"), default=False)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("role")
        verbose_name_plural = _("roles")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "kind", "state", "organisation", "thematic_area"],
                name="unique_role",
                nulls_distinct=False,
            )
        ]

    def __str__(self) -> str:
        scope = self.scope_label
        return f"{self.get_kind_display()} ({scope})" if scope else str(self.get_kind_display())


INVITATION_DAYS = 14
FIXED_MESSAGE = _("An invitation's address, role and scope are fixed once it is sent; withdraw it and send a new one.")


def _token() -> str:
    return secrets.token_urlsafe(32)


def _expiry():
    return timezone.now() + timedelta(days=INVITATION_DAYS)


class Invitation(RoleScope):
    """ISU staff invite a person to a role; the person sets a password through the
    link sent by e-mail, which creates the account with that role."""

    email = models.EmailField(_("e-mail address"))
    token = models.CharField(max_length=64, unique=True, default=_token, editable=False)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("invited by")
    )
    created = models.DateTimeField(_("sent"), auto_now_add=True)
    expires = models.DateTimeField(_("expires"), default=_expiry)
    accepted = models.DateTimeField(_("accepted"), null=True, blank=True)
    withdrawn = models.DateTimeField(
        _("withdrawn"),
        null=True,
        blank=True,
        help_text=_("Set when the person who sent it may no longer invite: the link no longer works."),
    )
    history = HistoricalRecords()

    # What the e-mail promised: to whom, which role, for what. Fixed once the invitation is sent.
    FIXED_FIELDS = ("email", "kind", "state", "organisation", "thematic_area")

    class Meta:
        ordering = ["-created"]
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")

    def __str__(self) -> str:
        return f"{self.email}: {self.get_kind_display()}"

    def save(self, *args, **kwargs):
        from article6.accounts.emails import normalise_email

        self.email = normalise_email(self.email)
        fields = kwargs.get("update_fields")
        fixed = {*self.FIXED_FIELDS, *(f"{name}_id" for name in self.FIXED_FIELDS)}
        changed = self.changed_fixed_fields() if fields is None or fixed & set(fields) else []
        if changed:
            raise ValidationError(dict.fromkeys(changed, FIXED_MESSAGE))
        super().save(*args, **kwargs)

    def clean(self) -> None:
        from article6.accounts.emails import normalise_email

        self.email = normalise_email(self.email)
        errors = {}
        try:
            super().clean()
        except ValidationError as error:
            errors.update(error.update_error_dict({}))
        for name in self.changed_fixed_fields():
            errors.setdefault(name, []).append(FIXED_MESSAGE)
        if errors:
            raise ValidationError(errors)

    @property
    def is_usable(self) -> bool:
        return self.accepted is None and self.withdrawn is None and self.expires > timezone.now()

    def changed_fixed_fields(self) -> list[str]:
        """The fixed fields whose value differs from the invitation as sent."""
        if self._state.adding or self.pk is None:
            return []
        fields = [self._meta.get_field(name) for name in self.FIXED_FIELDS]
        stored = type(self)._default_manager.filter(pk=self.pk).values(*(f.attname for f in fields)).first()
        if stored is None:
            return []
        return [f.name for f in fields if stored[f.attname] != getattr(self, f.attname)]


class TokenScope(models.TextChoices):
    READ = "read", _("read only")
    WRITE = "write", _("read and write")


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiToken(models.Model):
    """A personal API token. Only its SHA-256 hash is stored; the token itself is
    shown once, when it is created."""

    PREFIX = "a6_"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens", verbose_name=_("owner")
    )
    name = models.CharField(_("name"), max_length=100)
    scope = models.CharField(_("scope"), max_length=5, choices=TokenScope.choices, default=TokenScope.READ)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    hint = models.CharField(_("begins with"), max_length=12, editable=False)
    created = models.DateTimeField(_("created"), auto_now_add=True)
    last_used = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked = models.DateTimeField(_("revoked"), null=True, blank=True)
    # The changes made in the current minute (article6.api.auth: at most so many a minute).
    write_minute = models.BigIntegerField(default=0, editable=False)
    writes_in_minute = models.PositiveIntegerField(default=0, editable=False)
    history = HistoricalRecords(excluded_fields=["last_used", "write_minute", "writes_in_minute"])

    class Meta:
        ordering = ["-created"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.name} ({self.hint}…)"

    @classmethod
    def issue(cls, user, name: str, scope: str = TokenScope.READ) -> tuple[ApiToken, str]:
        """Create a token; returns it with the raw key, which is never stored."""
        raw = cls.PREFIX + secrets.token_urlsafe(32)
        token = cls.objects.create(user=user, name=name, scope=scope, key_hash=hash_token(raw), hint=raw[:10])
        return token, raw

    @property
    def is_active(self) -> bool:
        return self.revoked is None


class AccountEventKind(models.TextChoices):
    SIGNED_IN = "signed_in", _("signed in")
    PASSWORD_CHANGED = "password_changed", _("password changed")
    PASSWORD_RESET = "password_reset", _("password reset by e-mail")
    PASSWORD_SET = "password_set", _("password set by the administrator")
    TOKENS_REVOKED = "tokens_revoked", _("API tokens revoked")
    SECOND_FACTOR_ADDED = "second_factor_added", _("second factor set up")
    SECOND_FACTOR_REMOVED = "second_factor_removed", _("second factor removed")
    RECOVERY_CODES_RENEWED = "recovery_codes_renewed", _("recovery codes renewed")
    DEACTIVATED = "deactivated", _("account deactivated")
    REACTIVATED = "reactivated", _("account reactivated")
    SUPERUSER_GRANTED = "superuser_granted", _("made administrator (superuser)")
    SUPERUSER_REMOVED = "superuser_removed", _("administrator (superuser) right removed")
    STAFF_GRANTED = "staff_granted", _("staff status given")
    STAFF_REMOVED = "staff_removed", _("staff status removed")
    EMAIL_CHANGED = "email_changed", _("e-mail address changed")
    INVITATION_ACCEPTED = "invitation_accepted", _("invitation accepted")
    INVITATIONS_WITHDRAWN = "invitations_withdrawn", _("invitations withdrawn")


class AccountEvent(models.Model):
    """What happened to an account itself, who did it and when: sign-ins, passwords,
    second factors, deactivation, administrator and staff rights. The addresses are kept
    as they were, so that the record outlives the account."""

    created = models.DateTimeField(_("when"), default=timezone.now, db_index=True)
    kind = models.CharField(_("what"), max_length=30, choices=AccountEventKind.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="account_events",
        verbose_name=_("person"),
    )
    email = models.CharField(_("account"), max_length=254)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("done by"),
    )
    actor_email = models.CharField(_("done by"), max_length=254, blank=True)
    detail = models.CharField(_("detail"), max_length=300, blank=True)

    class Meta:
        ordering = ["-created", "-pk"]
        verbose_name = _("account event")
        verbose_name_plural = _("account events")

    def __str__(self) -> str:
        return f"{self.email}: {self.get_kind_display()}"
