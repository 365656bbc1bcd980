"""Daily: remind States' focal points of the transparency reports they owe (Art. 7)."""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from article6.reporting.reminders import send_reminders


class Command(BaseCommand):
    help = (
        "E-mail each State's focal points 60 and 14 days before a transparency report is due (Art. 7(1), "
        "7(2)), and when it becomes overdue. Meant to run once a day (cron, systemd timer); each reminder "
        "sent is recorded, so that running it again sends nothing twice."
    )

    def add_arguments(self, parser):
        parser.add_argument("--today", help="the day to run as, YYYY-MM-DD (default: today)")
        parser.add_argument(
            "--base-url", default="", help="the site's address for the links, e.g. https://article6.example.org"
        )
        parser.add_argument("--dry-run", action="store_true", help="say who would be reminded; send nothing")

    def handle(self, *args, **options):
        today = None
        if options["today"]:
            try:
                today = dt.date.fromisoformat(options["today"])
            except ValueError:
                raise CommandError(f"Not a date (YYYY-MM-DD): {options['today']!r}") from None
        run = send_reminders(today, base_url=options["base_url"], dry_run=options["dry_run"])
        verb = "would send" if options["dry_run"] else "sent"
        self.stdout.write(f"{run.day.isoformat()}: {verb} {len(run.sent)} reminder(s).")
        for reminder, emails in run.sent:
            self.stdout.write(f"  {verb}: {reminder.label()} to {', '.join(emails)}")
        if run.already_sent:
            self.stdout.write(f"  already sent: {len(run.already_sent)}")
        if run.no_focal_point:
            states = sorted({reminder.iso3 for reminder in run.no_focal_point})
            self.stdout.write(f"  no focal point to remind ({len(states)} State(s)): {' '.join(states)}")
