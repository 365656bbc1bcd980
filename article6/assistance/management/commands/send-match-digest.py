"""Weekly: e-mail each coordinator the needs open for more than 90 days with no proposal."""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from article6.assistance.notifications import WAITING_DAYS, send_digests


class Command(BaseCommand):
    help = (
        f"E-mail each coordinator the needs open for more than {WAITING_DAYS} days with no proposal (those of "
        "their thematic area). Meant to run once a week (cron, systemd timer); each digest sent is recorded, so "
        "that running it again in the same ISO week sends nothing twice."
    )

    def add_arguments(self, parser):
        parser.add_argument("--date", help="the day to run as, YYYY-MM-DD (default: today)")
        parser.add_argument(
            "--base-url", default="", help="the site's address for the links, e.g. https://article6.example.org"
        )
        parser.add_argument("--dry-run", action="store_true", help="say who would receive a digest; send nothing")

    def handle(self, *args, **options):
        today = None
        if options["date"]:
            try:
                today = dt.date.fromisoformat(options["date"])
            except ValueError:
                raise CommandError(f"Not a date (YYYY-MM-DD): {options['date']!r}") from None
        run = send_digests(today, base_url=options["base_url"], dry_run=options["dry_run"])
        verb = "would send" if options["dry_run"] else "sent"
        self.stdout.write(f"Week {run.week}: {verb} {len(run.sent)} digest(s).")
        for email in run.sent:
            self.stdout.write(f"  {verb}: {email}")
        if run.already_sent:
            self.stdout.write(f"  already sent this week: {len(run.already_sent)}")
        if run.nothing_to_send:
            self.stdout.write(f"  nothing waiting: {len(run.nothing_to_send)}")
