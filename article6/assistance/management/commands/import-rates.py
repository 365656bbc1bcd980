"""`article6 import-rates FILE.csv`: load the exchange-rate table."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from article6.assistance.importing import import_rates
from article6.importing import ImportErrors


class Command(BaseCommand):
    help = (
        "Load exchange rates (US dollars per unit of a currency, per year) from a CSV with the columns "
        "currency, year, usd_per_unit, source. Every row is checked first: one error and nothing is written. "
        "Rates are created or updated by currency and year."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, metavar="FILE.csv", help="the exchange-rate CSV file")

    def handle(self, *args, **options):
        try:
            report = import_rates(options["file"])
        except ImportErrors as exc:
            raise CommandError("Nothing was imported:\n" + str(exc)) from None
        self.stdout.write(report.summary())
