"""`article6 state ISO3`: one State seen through the Convention's clock on a date."""

import json

from django.core.management.base import BaseCommand, CommandError

from article6.asof import as_of_option
from article6.treaty import labels, queries

UPCOMING_MONTHS = 12


class Command(BaseCommand):
    help = (
        "One State on a date: its status, entry into force, reports due (Art. 7) and its "
        "stockpile destruction (Art. 3) and clearance (Art. 4) deadlines."
    )

    def add_arguments(self, parser):
        parser.add_argument("iso3", help="ISO 3166-1 alpha-3 code, any case (FJI)")
        parser.add_argument("--as-of", dest="as_of", metavar="YYYY-MM-DD", help="the day to look on; default today")
        parser.add_argument("--json", action="store_true", help="print JSON, the shape scripts rely on")

    def handle(self, *args, **options):
        as_of = as_of_option(options["as_of"])
        iso3 = options["iso3"]
        profile = queries.state_profile(iso3, as_of, months=UPCOMING_MONTHS)
        if profile is None:
            raise CommandError(f"No State has the ISO3 code “{iso3[:20]}”.")
        data = profile.clock.as_json()
        if options["json"]:
            self.stdout.write(json.dumps(data, indent=2))
            return
        self.write_summary(profile, data)

    def write_summary(self, profile: queries.StateProfile, data: dict) -> None:
        clock = profile.clock
        out = self.stdout.write
        status = str(labels.STATUS_LABELS[clock.status])
        if clock.in_force:
            status += ", Convention in force for the State"
        out(f"{data['name']} ({data['iso3']}), {data['region']}, as of {data['as_of']}")
        out(f"  Status                  {status}")
        rows = [
            ("Signature", data["signature_date"]),
            ("Deposit", data["deposit_date"] and f"{data['deposit_date']} ({data['instrument']})"),
            ("Entry into force", data["entry_into_force"]),
            ("Withdrawal effective", data["withdrawal_effective"]),
            ("Initial report due", data["initial_report_due"]),
            ("Next annual report due", data["next_annual_report_due"]),
        ]
        for label, value in rows:
            if value:
                out(f"  {label:<23} {value}")
        for number, name in ((3, "stockpile destruction"), (4, "clearance")):
            o = data[f"article_{number}"]
            if not o["applies"]:
                out(f"  Art. {number} ({name}): does not apply")
                continue
            deadline = o["extended_deadline"] or o["deadline"]
            extended = " (extended)" if o["extended_deadline"] else ""
            state = labels.obligation_status_text(clock.obligations[number - 3])
            completed = f", completed {o['completed']}" if o["completed"] else ""
            out(f"  Art. {number} ({name}): deadline {deadline}{extended}, {state}{completed}")
        if profile.upcoming:
            out(f"  Due up to {profile.until.isoformat()}:")
            for deadline in profile.upcoming:
                out(f"    {deadline.date.isoformat()}  {labels.provision(deadline):<10} {labels.what_is_due(deadline)}")
