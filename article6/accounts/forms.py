"""Forms of the accounts pages: inviting a person to a role, accepting an
invitation, creating an API token."""

from __future__ import annotations

from allauth.account.forms import LoginForm, ResetPasswordForm
from django import forms
from django.contrib.auth import get_user_model, password_validation
from django.utils.translation import gettext_lazy as _

from article6.accounts.emails import normalise_email
from article6.accounts.models import ApiToken, Invitation, TokenScope


class SignInForm(LoginForm):
    """allauth's sign-in form, the address read in the one form every address is stored in."""

    def clean_login(self) -> str:
        return normalise_email(super().clean_login())


class PasswordResetForm(ResetPasswordForm):
    """allauth's reset form; the link goes to the address as stored, in its one form."""

    def clean_email(self) -> str:
        return normalise_email(super().clean_email())


class InvitationForm(forms.ModelForm):
    class Meta:
        model = Invitation
        fields = ["email", "kind", "state", "organisation", "thematic_area"]
        help_texts = {
            "state": _("For a State focal point: the State. For a partner focal point of a donor State: that State."),
            "organisation": _("For a partner focal point of an organisation."),
            "thematic_area": _("For a coordinator."),
        }

    def clean_email(self):
        return normalise_email(self.cleaned_data["email"])


class AcceptInvitationForm(forms.Form):
    """The invited person chooses a password; the account is made with the invited role."""

    name = forms.CharField(label=_("Your name"), max_length=150, required=False)
    password1 = forms.CharField(label=_("Password"), widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))
    password2 = forms.CharField(
        label=_("Password (again)"), widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )

    def __init__(self, *args, invitation: Invitation, **kwargs):
        super().__init__(*args, **kwargs)
        self.invitation = invitation

    def clean(self):
        data = super().clean()
        first, second = data.get("password1"), data.get("password2")
        if first and second and first != second:
            self.add_error("password2", _("The two passwords differ."))
        elif first:
            user = get_user_model()(username=self.invitation.email, email=self.invitation.email)
            try:
                password_validation.validate_password(first, user)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return data


class ApiTokenForm(forms.Form):
    name = forms.CharField(label=_("What the token is for"), max_length=100)
    scope = forms.ChoiceField(label=_("Scope"), choices=TokenScope.choices, initial=TokenScope.READ)

    def issue(self, user) -> tuple[ApiToken, str]:
        return ApiToken.issue(user, self.cleaned_data["name"], self.cleaned_data["scope"])
