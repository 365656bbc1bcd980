"""`article6 reporting [--as-of DATE] [--by region] [--json]`: the Art. 7 reporting figures."""

import json

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from article6.asof import as_of_option
from article6.reporting import queries


def _of_sample(counts: dict, key: str) -> str:
    """ "(of which N from sample data)" after a figure that counts fictional sample reports."""
    n = (counts.get("sample") or {}).get(key, 0)
    return "  " + _("(of which %(n)d from sample data)") % {"n": n} if n else ""


class Command(BaseCommand):
    help = gettext_lazy(
        "Transparency reports (Art. 7) on a date: initial reports due, received on time, received late and "
        "overdue, with the States whose initial report is overdue; annual updates due, received and received "
        "on time per year covered, and the reporting rate. Counts every report received, at its first "
        "version's date."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--as-of", dest="as_of", metavar="YYYY-MM-DD", help=gettext_lazy("the day to count on; default today")
        )
        parser.add_argument("--by", choices=["region"], help=gettext_lazy("also count by region"))
        parser.add_argument("--json", action="store_true", help=gettext_lazy("print JSON, the shape scripts rely on"))

    def handle(self, *args, **options):
        as_of = as_of_option(options["as_of"])
        data = queries.transparency(as_of)
        figures = data["figures"]
        if options["by"] == "region":
            figures["by_region"] = data["by_region"]
        if options["json"]:
            self.stdout.write(json.dumps(figures, indent=2))
            return
        self.stdout.write(_("Transparency reports (Art. 7), as of %(day)s") % {"day": figures["as_of"]})
        self._initial(figures["initial"], "  ")
        self._annual(figures["annual"], "  ")
        for region, counts in figures.get("by_region", {}).items():
            self.stdout.write("")
            self.stdout.write(region)
            self._initial(counts["initial"], "  ")
            self._annual(counts["annual"], "  ")
        recorded = data["recorded"]
        self.stdout.write("")
        self.stdout.write(
            _(
                "Counts only the reports recorded in this system: %(reports)s received by this date, "
                "the earliest on %(earliest)s."
            )
            % {"reports": recorded["reports"], "earliest": recorded["earliest"] or "—"}
        )

    def _initial(self, initial: dict, indent: str) -> None:
        self.stdout.write(indent + _("Initial reports (Art. 7(1))"))
        for label, key in (
            (_("due"), "due"),
            (_("on time"), "submitted_on_time"),
            (_("late"), "submitted_late"),
            (_("overdue"), "overdue"),
        ):
            self.stdout.write(f"{indent}  {label:<16} {initial[key]:>5}" + _of_sample(initial, key))
        if initial["overdue_states"]:
            self.stdout.write(
                f"{indent}  " + _("overdue: %(states)s") % {"states": " ".join(initial["overdue_states"])}
            )

    def _annual(self, annual: dict, indent: str) -> None:
        self.stdout.write(indent + _("Annual updates (Art. 7(2)), by year covered"))
        if not annual:
            self.stdout.write(f"{indent}  " + _("none due by this date"))
            return
        header = (_("year"), _("due"), _("received"), _("on time"), _("rate"))
        self.stdout.write(f"{indent}  {header[0]:<6} {header[1]:>6} {header[2]:>9} {header[3]:>8} {header[4]:>6}")
        for year, counts in annual.items():
            self.stdout.write(
                f"{indent}  {year:<6} {counts['due']:>6} {counts['submitted']:>9} {counts['on_time']:>8} "
                f"{counts['rate']:>6.0%}" + _of_sample(counts, "submitted")
            )
