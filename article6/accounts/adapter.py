from allauth.account.adapter import DefaultAccountAdapter


class InvitationOnlyAdapter(DefaultAccountAdapter):
    """No open sign-up: accounts come from invitations sent by ISU staff."""

    def is_open_for_signup(self, request) -> bool:
        return False
