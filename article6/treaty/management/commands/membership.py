"""`article6 membership`: States Parties, Signatories and in-force counts on a date."""

import json

from django.core.management.base import BaseCommand

from article6.asof import as_of_option
from article6.treaty import queries


class Command(BaseCommand):
    help = (
        "States Parties, Signatories and States for which the Convention is in force on a date "
        "(a State Party from deposit until its withdrawal takes effect), in total or by region."
    )

    def add_arguments(self, parser):
        parser.add_argument("--as-of", dest="as_of", metavar="YYYY-MM-DD", help="the day to count on; default today")
        parser.add_argument("--by", choices=["region"], help="also count by region")
        parser.add_argument("--json", action="store_true", help="print JSON, the shape scripts rely on")

    def handle(self, *args, **options):
        as_of = as_of_option(options["as_of"])
        figures = queries.membership_json(as_of, by_region=options["by"] == "region")
        if options["json"]:
            self.stdout.write(json.dumps(figures, indent=2))
            return
        self.stdout.write(f"Convention on Cluster Munitions, as of {figures['as_of']}")
        self.stdout.write(f"  States Parties  {figures['states_parties']:>4}")
        self.stdout.write(f"  Signatories     {figures['signatories']:>4}")
        self.stdout.write(f"  In force        {figures['in_force']:>4}")
        if "by_region" in figures:
            self.stdout.write("")
            self.stdout.write(f"  {'Region':<12} {'States Parties':>14} {'Signatories':>11} {'In force':>8}")
            for region, counts in figures["by_region"].items():
                self.stdout.write(
                    f"  {region:<12} {counts['states_parties']:>14} {counts['signatories']:>11} {counts['in_force']:>8}"
                )
