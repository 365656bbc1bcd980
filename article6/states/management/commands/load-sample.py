from django.core.management.base import BaseCommand
from django.db import transaction

from article6.accounts.sample import load_sample_accounts, remove_sample_accounts, sample_password
from article6.assistance.sample import load_assistance_sample, remove_assistance_sample
from article6.reporting.sample import load_reporting_sample, remove_reporting_sample
from article6.states.sample import load_sample, remove_sample


class Command(BaseCommand):
    help = (
        "Load the fictional sample data used for demonstrations (flagged as sample everywhere), with one "
        "sample account for each role. Their shared password is ARTICLE6_SAMPLE_PASSWORD when set, "
        "otherwise a new random one, printed."
    )

    def add_arguments(self, parser):
        parser.add_argument("--remove", action="store_true", help="remove the sample data instead")

    def handle(self, *args, **options):
        if options["remove"]:
            with transaction.atomic():
                records = remove_reporting_sample()
                records += remove_assistance_sample()
                accounts = remove_sample_accounts()
                records += remove_sample()
            self.stdout.write(f"sample records removed: {records}; sample accounts removed: {accounts}")
            return
        password = sample_password()
        with transaction.atomic():
            created = load_sample()
            accounts = load_sample_accounts(password)
            created += load_assistance_sample()
            created += load_reporting_sample()
        lines = [
            f"sample data loaded ({created} created); every sample record is flagged as fictional",
            "",
            "=" * 64,
            "  Sample accounts (fictional), sign in at http://127.0.0.1:8000/accounts/login/",
            *(f"  {email:<42} {role}" for email, role in accounts),
            f"  shared password: {password}",
            "  The coordinator and ISU staff set up an authenticator app (TOTP) at first sign-in.",
            "=" * 64,
            "",
        ]
        self.stdout.write("\n".join(lines))
