import os
import secrets

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction


class Command(BaseCommand):
    help = (
        "Create the local administrator account (or reset its password) and print how to sign in. "
        "The password is ARTICLE6_ADMIN_PASSWORD when set, otherwise a new random one each run."
    )

    def add_arguments(self, parser):
        parser.add_argument("--username", default=os.environ.get("ARTICLE6_ADMIN_USER", "admin"))
        parser.add_argument("--email", default=os.environ.get("ARTICLE6_ADMIN_EMAIL", "admin@example.org"))

    @transaction.atomic
    def handle(self, *args, **options):
        password = os.environ.get("ARTICLE6_ADMIN_PASSWORD") or secrets.token_urlsafe(12)
        user, created = get_user_model().objects.get_or_create(
            username=options["username"], defaults={"email": options["email"]}
        )
        user.is_staff = user.is_superuser = user.is_active = True
        user.set_password(password)
        user.save()
        if not created:
            # A new password revokes the account's API tokens, as everywhere else.
            from article6.accounts import events

            revoked = events.password_replaced(user, reason="ensure-admin")
            detail = f"{revoked} API tokens revoked" if revoked else ""
            events.record(events.Kind.PASSWORD_SET, user, detail=detail)
        verb = "created" if created else "password reset"
        self.stdout.write(
            "\n".join(
                [
                    "",
                    "=" * 64,
                    f"  Administrator account {verb}",
                    f"  e-mail:   {user.email}",
                    f"  password: {password}",
                    "  sign in:  http://127.0.0.1:8000/accounts/login/ (then set up an authenticator app)",
                    "=" * 64,
                    "",
                ]
            )
        )
