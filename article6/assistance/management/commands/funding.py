"""`article6 funding [--state ISO3] [--year Y] [--json]`: commitments and what was disbursed."""

import json

from django.core.management.base import BaseCommand, CommandError

from article6.assistance.funding import KINDS, UnknownState, funding_json


def _money(value: float | None) -> str:
    return "" if value is None else f"{value:,.2f}"


class Command(BaseCommand):
    help = (
        "Commitments with their committed, disbursed and expended amounts, in their own currency and in US "
        "dollars at each year's rate (where the exchange-rate table has it), with totals in US dollars."
    )

    def add_arguments(self, parser):
        parser.add_argument("--state", metavar="ISO3", help="only what this State receives or provides")
        parser.add_argument("--year", type=int, metavar="Y", help="only the amounts of this year")
        parser.add_argument("--json", action="store_true", help="print JSON, the shape scripts rely on")

    def handle(self, *args, **options):
        try:
            data = funding_json(None, state=options["state"], year=options["year"])
        except UnknownState as exc:
            raise CommandError(f"--state: {exc}") from None
        if options["json"]:
            self.stdout.write(json.dumps(data, indent=2, ensure_ascii=False))
            return
        header = ["id", "provider", "to", "cur", *KINDS, *(f"USD {kind}" for kind in KINDS), "source"]
        table = [header]
        for row in data["commitments"]:
            usd = row["usd"]
            table.append(
                [
                    str(row["id"]),
                    row["provider"] if len(row["provider"]) <= 40 else row["provider"][:39] + "…",
                    row["recipient"],
                    row["currency"],
                    *(_money(row[kind]) for kind in KINDS),
                    *((_money(usd[kind]) for kind in KINDS) if usd else ("no rate", "", "")),
                    row["source"],
                ]
            )
        widths = [max(len(line[i]) for line in table) for i in range(len(header))]
        numeric = set(range(4, 10))
        for line in table:
            cells = [
                cell.rjust(width) if i in numeric else cell.ljust(width)
                for i, (cell, width) in enumerate(zip(line, widths, strict=True))
            ]
            self.stdout.write("  ".join(cells).rstrip())
        totals = data["totals"]
        self.stdout.write("")
        self.stdout.write(
            f"{totals['commitments']} commitment{'s' if totals['commitments'] != 1 else ''}; in US dollars: "
            + ", ".join(f"{kind} {_money(totals['usd'][kind])}" for kind in KINDS)
        )
        if totals["missing_rates"]:
            missing = ", ".join(f"{currency} {year}" for currency, year in totals["missing_rates"])
            self.stdout.write(f"Not counted in US dollars, for want of a rate: {missing}")
        for problem in data["problems"]:
            self.stdout.write(f"problem: commitment {problem['commitment']}: {problem['reason']}")
